import { ResourceValidationPolicy } from "@pulumi/policy";
import { at, describeResource } from "./common";
import { LAUNCH_TEMPLATE_TYPE } from "./nodeGroups";

export const REPLICATION_GROUP_TYPE = "aws:elasticache/replicationGroup:ReplicationGroup";
const CACHE_CLUSTER_TYPE = "aws:elasticache/cluster:Cluster";
export const DEFAULT_ALLOWED_CACHE_TYPES = ["cache.t4g.micro", "cache.t4g.small", "cache.t4g.medium"];

const has = (props: Record<string, unknown>, key: string) => Object.prototype.hasOwnProperty.call(props, key) && props[key] !== undefined && props[key] !== null && props[key] !== "";

export const cacheRightSize: ResourceValidationPolicy = {
    name: "cache-right-size",
    description: "ElastiCache node types are within the environment's allowlist.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { allowedNodeTypes: { type: "array", items: { type: "string" }, minItems: 1, default: DEFAULT_ALLOWED_CACHE_TYPES } } },
    validateResource: (args, report) => {
        if (args.type !== REPLICATION_GROUP_TYPE && args.type !== CACHE_CLUSTER_TYPE) return;
        const configured = args.getConfig<{ allowedNodeTypes?: unknown }>().allowedNodeTypes;
        const allowed = Array.isArray(configured) ? configured.filter((t): t is string => typeof t === "string") : DEFAULT_ALLOWED_CACHE_TYPES;
        const nodeType = args.props.nodeType;
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
        if (p.atRestEncryptionEnabled !== true) report(`${describeResource(args)} atRestEncryptionEnabled is ${JSON.stringify(p.atRestEncryptionEnabled ?? null)}; must be true`);
        if (p.transitEncryptionEnabled !== true) report(`${describeResource(args)} transitEncryptionEnabled is ${JSON.stringify(p.transitEncryptionEnabled ?? null)}; must be true`);
        else if (p.transitEncryptionMode !== undefined && p.transitEncryptionMode !== "required") {
            report(`${describeResource(args)} transitEncryptionMode is ${JSON.stringify(p.transitEncryptionMode)}; must be "required" (preferred still accepts plaintext)`);
        }
        // Presence only: the token is a secret, often unknown until deployment.
        const rbac = Array.isArray(p.userGroupIds) && p.userGroupIds.length > 0;
        if (!has(p, "authToken") && !has(p, "authTokenWo") && !rbac) report(`${describeResource(args)} has neither an AUTH token nor RBAC user groups; clients must authenticate`);
    },
};

export const imdsv2Required: ResourceValidationPolicy = {
    name: "imdsv2-required",
    description: "Launch templates and instances require IMDSv2 session tokens (or disable instance metadata).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== LAUNCH_TEMPLATE_TYPE && args.type !== "aws:ec2/instance:Instance") return;
        const endpoint = at(args.props, "metadataOptions", "httpEndpoint");
        const tokens = at(args.props, "metadataOptions", "httpTokens");
        if (endpoint === "disabled") return;
        if (tokens !== "required") report(`${describeResource(args)} metadataOptions.httpTokens is ${JSON.stringify(tokens ?? null)}; must be "required" (IMDSv2)`);
    },
};
