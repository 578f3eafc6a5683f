import { ResourceValidationPolicy } from "@pulumi/policy";
import { peek, peekAt, strings, UNKNOWN } from "../components/tagResolution";
import { describeResource } from "./common";
import { LAUNCH_TEMPLATE_TYPE } from "./nodeGroups";

export const REPLICATION_GROUP_TYPE = "aws:elasticache/replicationGroup:ReplicationGroup";
const CACHE_CLUSTER_TYPE = "aws:elasticache/cluster:Cluster";
export const DEFAULT_ALLOWED_CACHE_TYPES = ["cache.t4g.micro", "cache.t4g.small", "cache.t4g.medium"];

/**
 * Is a value set? An unknown value (a RandomPassword's result in a first preview) is set: the check reads
 * it through `peek`, which never trips the preview proxy (reading it would turn the whole policy
 * into an advisory "can't run during preview", @pulumi/policy server.js:287-290).
 */
const has = (props: Record<string, unknown>, key: string) => {
    const v = peek(props, key);
    return v === UNKNOWN || (v !== undefined && v !== null && v !== "");
};

export const cacheRightSize: ResourceValidationPolicy = {
    name: "cache-right-size",
    description: "ElastiCache node types are within the environment's allowlist.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { allowedNodeTypes: { type: "array", items: { type: "string" }, minItems: 1, default: DEFAULT_ALLOWED_CACHE_TYPES } } },
    validateResource: (args, report) => {
        if (args.type !== REPLICATION_GROUP_TYPE && args.type !== CACHE_CLUSTER_TYPE) return;
        const configured = args.getConfig<{ allowedNodeTypes?: unknown }>().allowedNodeTypes;
        const allowed = Array.isArray(configured) ? configured.filter((t): t is string => typeof t === "string") : DEFAULT_ALLOWED_CACHE_TYPES;
        const nodeType = peek(args.props, "nodeType");
        if (nodeType === UNKNOWN) return;
        if (typeof nodeType !== "string" || !allowed.includes(nodeType)) {
            report(`${describeResource(args)} nodeType ${JSON.stringify(nodeType ?? null)} is not allowed here; allowed: ${allowed.join(", ")}`);
        }
    },
};

export const cacheEncryption: ResourceValidationPolicy = {
    name: "cache-encryption",
    description: "ElastiCache replication groups encrypt at rest and in transit (TLS required) and authenticate clients (AUTH token or RBAC user groups).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== REPLICATION_GROUP_TYPE) return;
        const p = args.props;
        const atRest = peek(p, "atRestEncryptionEnabled"), transit = peek(p, "transitEncryptionEnabled"), mode = peek(p, "transitEncryptionMode");
        if (atRest !== true && atRest !== UNKNOWN) report(`${describeResource(args)} atRestEncryptionEnabled is ${JSON.stringify(atRest ?? null)}; must be true`);
        if (transit !== true && transit !== UNKNOWN) report(`${describeResource(args)} transitEncryptionEnabled is ${JSON.stringify(transit ?? null)}; must be true`);
        else if (mode !== undefined && mode !== UNKNOWN && mode !== "required") {
            report(`${describeResource(args)} transitEncryptionMode is ${JSON.stringify(mode)}; must be "required" (preferred still accepts plaintext)`);
        }
        // Presence only: the token is a secret, often unknown until deployment.
        const groups = peek(p, "userGroupIds");
        const rbac = groups === UNKNOWN || strings(groups).length > 0;
        if (!has(p, "authToken") && !has(p, "authTokenWo") && !rbac) report(`${describeResource(args)} has neither an AUTH token nor RBAC user groups; clients must authenticate`);
    },
};

export const imdsv2Required: ResourceValidationPolicy = {
    name: "imdsv2-required",
    description: "Launch templates and instances require IMDSv2 session tokens (or disable instance metadata).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== LAUNCH_TEMPLATE_TYPE && args.type !== "aws:ec2/instance:Instance") return;
        const endpoint = peekAt(args.props, "metadataOptions", "httpEndpoint");
        const tokens = peekAt(args.props, "metadataOptions", "httpTokens");
        if (endpoint === "disabled" || endpoint === UNKNOWN || tokens === UNKNOWN) return;
        if (tokens !== "required") report(`${describeResource(args)} metadataOptions.httpTokens is ${JSON.stringify(tokens ?? null)}; must be "required" (IMDSv2)`);
    },
};
