import { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { ENVIRONMENTS } from "../components/config";
import { LABEL_PREFIX, MANAGED_BY, PLATFORM_TEAM, REQUIRED_TAG_KEYS, TAG_KEYS } from "../components/tags";
import { at, describeResource, isRecord, stringMap } from "./common";
import { isTaggableAwsType } from "./taggable";

export const CHARGEBACK_TAGS = "chargeback-tags";

export interface ChargebackTagsConfig {
    /** The environment every resource's `environment` tag must equal. */
    environment: string;
    /** Tag keys that must be present and non-empty. Default: team, cost-center, environment, owner, managed-by. */
    requiredTags?: string[];
    /** Teams allowed in the `team` tag (besides `platform`); absent: any non-empty team. */
    knownTeams?: string[];
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
export const TEAM_LABEL = `${LABEL_PREFIX}${TAG_KEYS.team}`;

function settings(args: ResourceValidationArgs): Required<Omit<ChargebackTagsConfig, "knownTeams">> & { knownTeams?: string[] } {
    const cfg = args.getConfig<Partial<ChargebackTagsConfig>>();
    return {
        environment: typeof cfg.environment === "string" ? cfg.environment : "",
        requiredTags: Array.isArray(cfg.requiredTags) ? cfg.requiredTags : [...REQUIRED_TAG_KEYS],
        knownTeams: Array.isArray(cfg.knownTeams) ? cfg.knownTeams : undefined,
    };
}

/** Provider inputs that are objects reach the engine JSON-encoded (`defaultTags: "{\"tags\":...}"`). */
function providerDefaultTags(providerProps: unknown): Record<string, string> {
    let defaultTags = at(providerProps, "defaultTags");
    if (typeof defaultTags === "string") {
        try {
            defaultTags = JSON.parse(defaultTags);
        } catch {
            return {};
        }
    }
    return stringMap(at(defaultTags, "tags")) ?? {};
}

/** The tags an AWS resource ends up with: the provider's default tags overlaid by its own. */
function effectiveTags(args: ResourceValidationArgs): Record<string, string> | undefined {
    const own = args.props.tags;
    const defaults = providerDefaultTags(args.provider?.props);
    if (own === undefined || own === null) return Object.keys(defaults).length > 0 ? defaults : undefined;
    return { ...defaults, ...(stringMap(own) ?? {}) };
}

/** Every chargeback problem of one tag set, as messages naming the key, the value and what is expected. */
export function tagProblems(tags: Record<string, string> | undefined, cfg: ReturnType<typeof settings>): string[] {
    const required = cfg.requiredTags.join(", ");
    if (!tags) return [`has no tags; required: ${required}`];
    const problems: string[] = [];
    for (const key of cfg.requiredTags) {
        const value = tags[key];
        if (value === undefined) problems.push(`tag "${key}" is missing (required: ${required})`);
        else if (value.trim() === "") problems.push(`tag "${key}" is empty (required non-empty: ${required})`);
    }
    const env = tags[TAG_KEYS.environment];
    if (cfg.environment && env !== undefined && env.trim() !== "" && env !== cfg.environment) {
        problems.push(`tag "${TAG_KEYS.environment}" is "${env}", expected "${cfg.environment}" (this stack's environment)`);
    }
    const team = tags[TAG_KEYS.team];
    if (cfg.knownTeams && team !== undefined && team.trim() !== "" && team !== PLATFORM_TEAM && !cfg.knownTeams.includes(team)) {
        problems.push(`tag "${TAG_KEYS.team}" is "${team}", not a known team (${[PLATFORM_TEAM, ...cfg.knownTeams].join(", ")})`);
    }
    return problems;
}

export const chargebackTags: ResourceValidationPolicy = {
    name: CHARGEBACK_TAGS,
    description: "Every taggable AWS resource carries the chargeback tags (team, cost-center, environment, owner, managed-by) with this stack's environment; Kubernetes workloads carry the team label.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            environment: { type: "string", enum: [...ENVIRONMENTS], description: "This stack's environment; the `environment` tag must equal it." },
            requiredTags: { type: "array", items: { type: "string" }, minItems: 1, default: [...REQUIRED_TAG_KEYS] },
            knownTeams: { type: "array", items: { type: "string" }, description: "Teams allowed in the `team` tag besides `platform`." },
        },
        required: ["environment"],
    },
    validateResource: (args, reportViolation) => {
        const cfg = settings(args);
        if (args.type.startsWith("aws:") && (isTaggableAwsType(args.type) || "tags" in args.props)) {
            for (const problem of tagProblems(effectiveTags(args), cfg)) reportViolation(`${describeResource(args)} ${problem}`);
            return;
        }
        const podLabelsPath = K8S_WORKLOAD_TYPES[args.type];
        if (podLabelsPath) {
            const where: [string, unknown][] = [["metadata.labels", at(args.props, "metadata", "labels")]];
            if (args.type !== "kubernetes:core/v1:Pod") where.push([podLabelsPath.join("."), at(args.props, ...podLabelsPath)]);
            for (const [path, labels] of where) {
                const team = isRecord(labels) ? labels[TEAM_LABEL] : undefined;
                if (typeof team !== "string" || team.trim() === "") {
                    reportViolation(`${describeResource(args)} ${path} has no "${TEAM_LABEL}" label: every workload names the team it is charged to`);
                }
            }
        }
    },
    // Adds what the platform can know for certain; team, owner and cost center still need a human.
    remediateResource: (args) => {
        if (!args.type.startsWith("aws:") || !(isTaggableAwsType(args.type) || "tags" in args.props)) return undefined;
        const cfg = settings(args);
        const tags = stringMap(args.props.tags) ?? {};
        const fixes: Record<string, string> = {};
        if (!tags[TAG_KEYS.environment] && cfg.environment) fixes[TAG_KEYS.environment] = cfg.environment;
        if (!tags[TAG_KEYS.managedBy]) fixes[TAG_KEYS.managedBy] = MANAGED_BY;
        if (Object.keys(fixes).length === 0) return undefined;
        return { ...args.props, tags: { ...tags, ...fixes } };
    },
};
