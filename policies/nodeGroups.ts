import { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { INSTANCE_TYPES } from "../components/catalog";
import { ENVIRONMENTS } from "../components/config";
import { describeResource } from "./common";

export const NODE_GROUP_TYPE = "aws:eks/nodeGroup:NodeGroup";
export const LAUNCH_TEMPLATE_TYPE = "aws:ec2/launchTemplate:LaunchTemplate";

export const DEFAULT_ALLOWED_GPU_TYPES = ["g4dn.xlarge", "g5.xlarge", "g5.2xlarge", "g6.xlarge", "g6.2xlarge", "g6e.xlarge"];

export function instanceTypesOf(props: Record<string, unknown>): string[] {
    return Array.isArray(props.instanceTypes) ? props.instanceTypes.filter((t): t is string => typeof t === "string") : [];
}

/** A node group is a GPU group when an instance type carries GPUs in the catalog, or its AMI is a GPU AMI. */
export function isGpuNodeGroup(props: Record<string, unknown>): boolean {
    if (instanceTypesOf(props).some((t) => (INSTANCE_TYPES.get(t)?.gpus ?? 0) > 0)) return true;
    return typeof props.amiType === "string" && /NVIDIA|GPU|NEURON/.test(props.amiType);
}

/** `g6e.*`, `p5.48xlarge`, `g?.xlarge`: shell-style globs, anchored. */
export function globMatch(pattern: string, value: string): boolean {
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
    return re.test(value);
}

const environmentProperty = { type: "string" as const, enum: [...ENVIRONMENTS], description: "This stack's environment." };

function scaling(props: Record<string, unknown>): Record<string, unknown> {
    const s = props.scalingConfig;
    return typeof s === "object" && s !== null && !Array.isArray(s) ? s as Record<string, unknown> : {};
}

function envOf(args: ResourceValidationArgs): string | undefined {
    const env = args.getConfig<{ environment?: unknown }>().environment;
    return typeof env === "string" ? env : undefined;
}

export const gpuInstanceAllowlist: ResourceValidationPolicy = {
    name: "gpu-instance-allowlist",
    description: "GPU node groups and launch templates use instance types the environment allows (glob patterns).",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            allowedInstanceTypes: { type: "array", items: { type: "string" }, minItems: 1, default: DEFAULT_ALLOWED_GPU_TYPES, description: "Glob patterns, e.g. g6.xlarge or g6e.*" },
        },
    },
    validateResource: (args, report) => {
        const allowed = args.getConfig<{ allowedInstanceTypes?: unknown }>().allowedInstanceTypes;
        const patterns = Array.isArray(allowed) ? allowed.filter((p): p is string => typeof p === "string") : DEFAULT_ALLOWED_GPU_TYPES;
        let types: string[] = [];
        if (args.type === NODE_GROUP_TYPE) types = instanceTypesOf(args.props);
        else if (args.type === LAUNCH_TEMPLATE_TYPE && typeof args.props.instanceType === "string") types = [args.props.instanceType];
        else return;
        for (const t of types) {
            const facts = INSTANCE_TYPES.get(t);
            if (facts && facts.gpus === 0) continue; // general-purpose (system) types are not this policy's concern
            if (!patterns.some((p) => globMatch(p, t))) {
                report(`${describeResource(args)} instance type ${t}${facts ? "" : " (not in the catalog)"} is not allowed here; allowed: ${patterns.join(", ")}`);
            }
        }
    },
};

/**
 * A rule for GPU node groups outside prod: `problem` returns what is wrong with one, or undefined. Both
 * cost guards share the guard (node groups only, GPU groups only, not in prod) and the environment config.
 */
function outsideProdGpuRule(name: string, description: string, problem: (props: Record<string, unknown>, env: string) => string | undefined): ResourceValidationPolicy {
    return {
        name,
        description,
        enforcementLevel: "mandatory",
        configSchema: { properties: { environment: environmentProperty }, required: ["environment"] },
        validateResource: (args, report) => {
            const env = envOf(args);
            if (args.type !== NODE_GROUP_TYPE || env === "prod" || !isGpuNodeGroup(args.props)) return;
            const found = problem(args.props, env ?? "this environment");
            if (found) report(`${describeResource(args)} ${found}`);
        },
    };
}

export const spotOutsideProd = outsideProdGpuRule("spot-outside-prod", "Outside prod, GPU node groups run on spot capacity.", (props, env) => {
    const capacity = props.capacityType ?? "ON_DEMAND";
    return capacity === "SPOT" ? undefined : `capacityType is ${JSON.stringify(capacity)}; GPU node groups in ${env} must use SPOT`;
});

export const scaleToZeroOutsideProd = outsideProdGpuRule("scale-to-zero-outside-prod", "Outside prod, GPU node groups have minSize 0 so idle GPUs cost nothing overnight.", (props, env) => {
    const min = scaling(props).minSize;
    return min === 0 ? undefined : `scalingConfig.minSize is ${JSON.stringify(min ?? null)}; GPU node groups in ${env} must scale to 0`;
});

export const spotDiversification: ResourceValidationPolicy = {
    name: "spot-diversification",
    description: "Spot node groups list enough interchangeable instance types to survive a spot pool running dry.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { minInstanceTypes: { type: "integer", minimum: 1, maximum: 20, default: 2 } } },
    validateResource: (args, report) => {
        if (args.type !== NODE_GROUP_TYPE || args.props.capacityType !== "SPOT") return;
        const configured = args.getConfig<{ minInstanceTypes?: unknown }>().minInstanceTypes;
        const min = typeof configured === "number" ? configured : 2;
        const types = instanceTypesOf(args.props);
        if (types.length < min) report(`${describeResource(args)} lists ${types.length} instance type${types.length === 1 ? "" : "s"} (${types.join(", ") || "none"}); spot groups need at least ${min}`);
    },
};
