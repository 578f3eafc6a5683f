import { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { ENVIRONMENTS } from "../components/config";
import { DEFAULT_TEAM_LABEL, knownCopy, peek, peekAt, resolveTags, UNKNOWN, UNKNOWN_TAG_VALUE } from "../components/tagResolution";
import { MANAGED_BY, REQUIRED_TAG_KEYS, TAG_KEYS } from "../components/tags";
import { describeResource, isRecord, stringMap } from "./common";
import { globMatch } from "./nodeGroups";
import { isTaggableAwsType } from "../lib/taggable";

export const CHARGEBACK_TAGS = "chargeback-tags";

export interface ChargebackTagsConfig {
    /** The environment every resource's `environment` tag must equal. */
    environment: string;
    /** Tag keys that must be present and non-empty. Default: team, cost-center, environment, owner, managed-by. */
    requiredTags?: string[];
    /** The Kubernetes label naming a workload's team. Default `ai-infra/team`. */
    teamLabel?: string;
    /** Namespaces (globs) whose workloads must carry the team label; default none: other programs' Pods are not this pack's. */
    workloadNamespaces?: string[];
}

export const K8S_WORKLOAD_TYPES: Readonly<Record<string, string[]>> = {
    "kubernetes:apps/v1:Deployment": ["spec", "template", "metadata", "labels"],
    "kubernetes:apps/v1:StatefulSet": ["spec", "template", "metadata", "labels"],
    "kubernetes:apps/v1:DaemonSet": ["spec", "template", "metadata", "labels"],
    "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "metadata", "labels"],
    "kubernetes:batch/v1:Job": ["spec", "template", "metadata", "labels"],
    "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "metadata", "labels"],
    "kubernetes:core/v1:Pod": ["metadata", "labels"],
};

type Settings = Required<ChargebackTagsConfig>;

function settings(args: ResourceValidationArgs): Settings {
    const cfg = args.getConfig<Partial<ChargebackTagsConfig>>();
    const list = (v: unknown) => Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : undefined;
    return {
        environment: typeof cfg.environment === "string" ? cfg.environment : "",
        requiredTags: list(cfg.requiredTags) ?? [...REQUIRED_TAG_KEYS],
        teamLabel: typeof cfg.teamLabel === "string" && cfg.teamLabel !== "" ? cfg.teamLabel : DEFAULT_TEAM_LABEL,
        workloadNamespaces: list(cfg.workloadNamespaces) ?? [],
    };
}

/**
 * Every chargeback problem of one tag set, as messages naming the key, the value and what is expected.
 * Values a preview cannot know yet count as present: the update judges them again once known.
 */
export function tagProblems(tags: Record<string, string> | undefined, cfg: Pick<Settings, "requiredTags" | "environment">): string[] {
    const required = cfg.requiredTags.join(", ");
    if (!tags) return [`has no tags; required: ${required}`];
    const problems: string[] = [];
    for (const key of cfg.requiredTags) {
        const value = tags[key];
        if (value === undefined) problems.push(`tag "${key}" is missing (required: ${required})`);
        else if (value.trim() === "") problems.push(`tag "${key}" is empty (required non-empty: ${required})`);
    }
    const env = tags[TAG_KEYS.environment];
    if (cfg.environment && env !== undefined && env.trim() !== "" && env !== UNKNOWN_TAG_VALUE && env !== cfg.environment) {
        problems.push(`tag "${TAG_KEYS.environment}" is "${env}", expected "${cfg.environment}" (chargeback-tags.environment in the policy pack config)`);
    }
    return problems;
}

function judgedNamespace(props: unknown, patterns: string[]): boolean {
    const ns = peekAt(props, "metadata", "namespace");
    if (ns === UNKNOWN) return false;
    const namespace = typeof ns === "string" && ns !== "" ? ns : "default";
    return patterns.some((p) => globMatch(p, namespace));
}

export const chargebackTags: ResourceValidationPolicy = {
    name: CHARGEBACK_TAGS,
    description: "Every taggable AWS resource carries the chargeback tags (team, cost-center, environment, owner, managed-by; the provider's default tags count) with this stack's environment; Kubernetes workloads in the configured namespaces carry the team label.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            environment: { type: "string", enum: [...ENVIRONMENTS], description: "This stack's environment; the `environment` tag must equal it." },
            requiredTags: { type: "array", items: { type: "string" }, minItems: 1, default: [...REQUIRED_TAG_KEYS] },
            teamLabel: { type: "string", default: DEFAULT_TEAM_LABEL, description: "Kubernetes label key that names a workload's team." },
            workloadNamespaces: { type: "array", items: { type: "string" }, default: [], description: "Namespaces (globs) whose workloads must carry the team label; none by default." },
        },
        required: ["environment"],
    },
    validateResource: (args, reportViolation) => {
        const cfg = settings(args);
        // `in` is not intercepted by the preview proxy, so it is safe on unknown values.
        if (args.type.startsWith("aws:") && (isTaggableAwsType(args.type) || "tags" in args.props)) {
            const resolved = resolveTags(args.props, args.provider?.props, args.type);
            if (resolved.unknown) return; // the whole map is computed: judged at update, when it is known
            for (const problem of tagProblems(resolved.none ? undefined : resolved.tags, cfg)) reportViolation(`${describeResource(args)} ${problem}`);
            return;
        }
        const podLabelsPath = K8S_WORKLOAD_TYPES[args.type];
        if (podLabelsPath && judgedNamespace(args.props, cfg.workloadNamespaces)) {
            const where: [string, unknown][] = [["metadata.labels", peekAt(args.props, "metadata", "labels")]];
            if (args.type !== "kubernetes:core/v1:Pod") where.push([podLabelsPath.join("."), peekAt(args.props, ...podLabelsPath)]);
            for (const [path, labels] of where) {
                const team = peek(labels, cfg.teamLabel);
                if (labels === UNKNOWN || team === UNKNOWN) continue;
                if (typeof team !== "string" || team.trim() === "") {
                    reportViolation(`${describeResource(args)} ${path} has no "${cfg.teamLabel}" label: every workload names the team it is charged to (chargeback-tags.teamLabel, chargeback-tags.workloadNamespaces)`);
                }
            }
        }
    },
    // Adds what the platform can know for certain; team, owner and cost center still need a human.
    remediateResource: (args) => {
        if (!args.type.startsWith("aws:") || !(isTaggableAwsType(args.type) || "tags" in args.props)) return undefined;
        const cfg = settings(args);
        // Props a preview cannot fully know are left for the update to remediate, when they are known.
        const props = knownCopy(args.props);
        if (!isRecord(props)) return undefined;
        const tags = stringMap(props.tags) ?? {};
        const fixes: Record<string, string> = {};
        if (!tags[TAG_KEYS.environment] && cfg.environment) fixes[TAG_KEYS.environment] = cfg.environment;
        if (!tags[TAG_KEYS.managedBy]) fixes[TAG_KEYS.managedBy] = MANAGED_BY;
        if (Object.keys(fixes).length === 0) return undefined;
        return { ...props, tags: { ...tags, ...fixes } };
    },
};
