import { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { INSTANCE_TYPES } from "../components/catalog";
import { ENVIRONMENTS } from "../components/config";
import { AUTOSCALING_GROUP_TYPE, isAcceleratedType, LAUNCH_TEMPLATE_TYPE, NODE_GROUP_TYPE, SINGLE_INSTANCE_TYPE_RESOURCES } from "../components/gpuCapacity";
import { elements, peek, peekAt, strings, UNKNOWN } from "../components/tagResolution";
import { describeResource } from "./common";

export { LAUNCH_TEMPLATE_TYPE, NODE_GROUP_TYPE };

export const DEFAULT_ALLOWED_GPU_TYPES = ["g4dn.xlarge", "g5.xlarge", "g5.2xlarge", "g6.xlarge", "g6.2xlarge", "g6e.xlarge"];

export function instanceTypesOf(props: Record<string, unknown>): string[] {
    return strings(peek(props, "instanceTypes"));
}

/** A node group is a GPU group when an instance type is accelerated (catalog or family name), or its AMI is a GPU AMI. */
export function isGpuNodeGroup(props: Record<string, unknown>): boolean {
    if (instanceTypesOf(props).some(isAcceleratedType)) return true;
    const amiType = peek(props, "amiType");
    return typeof amiType === "string" && /NVIDIA|GPU|NEURON/.test(amiType);
}

/** The instance types a resource names itself (a node group's list, an instance's or template's type, an ASG's overrides). */
export function declaredInstanceTypes(type: string, props: Record<string, unknown>): string[] {
    if (type === NODE_GROUP_TYPE) return instanceTypesOf(props);
    if (SINGLE_INSTANCE_TYPE_RESOURCES.includes(type)) {
        const t = peek(props, "instanceType");
        return typeof t === "string" ? [t] : [];
    }
    if (type === AUTOSCALING_GROUP_TYPE) {
        return elements(peekAt(props, "mixedInstancesPolicy", "launchTemplate", "overrides")).map((o) => peek(o, "instanceType")).filter((t): t is string => typeof t === "string");
    }
    return [];
}

/** `g6e.*`, `p5.48xlarge`, `g?.xlarge`: shell-style globs, anchored. */
export function globMatch(pattern: string, value: string): boolean {
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
    return re.test(value);
}

const environmentProperty = { type: "string" as const, enum: [...ENVIRONMENTS], description: "This stack's environment." };


function envOf(args: ResourceValidationArgs): string | undefined {
    const env = args.getConfig<{ environment?: unknown }>().environment;
    return typeof env === "string" ? env : undefined;
}

export const gpuInstanceAllowlist: ResourceValidationPolicy = {
    name: "gpu-instance-allowlist",
    description: "GPU and accelerator instance types (node groups, launch templates, EC2 instances, Auto Scaling overrides) are ones the environment allows (glob patterns); other types are not this policy's business.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            allowedInstanceTypes: { type: "array", items: { type: "string" }, minItems: 1, default: DEFAULT_ALLOWED_GPU_TYPES, description: "Glob patterns, e.g. g6.xlarge or g6e.*" },
        },
    },
    validateResource: (args, report) => {
        const allowed = args.getConfig<{ allowedInstanceTypes?: unknown }>().allowedInstanceTypes;
        const patterns = Array.isArray(allowed) ? allowed.filter((p): p is string => typeof p === "string") : DEFAULT_ALLOWED_GPU_TYPES;
        for (const t of declaredInstanceTypes(args.type, args.props)) {
            // Only accelerated types: a general-purpose m6i.large or t4g.small is not this policy's concern.
            if (!isAcceleratedType(t)) continue;
            if (!patterns.some((p) => globMatch(p, t))) {
                report(`${describeResource(args)} GPU instance type ${t}${INSTANCE_TYPES.has(t) ? "" : " (not in the catalog)"} is not allowed here; allowed: ${patterns.join(", ")} (gpu-instance-allowlist.allowedInstanceTypes in the policy pack config)`);
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
    const capacity = peek(props, "capacityType") ?? "ON_DEMAND";
    // Unknown in a preview: judged when the update runs the pack again with the value known.
    return capacity === "SPOT" || capacity === UNKNOWN ? undefined : `capacityType is ${JSON.stringify(capacity)}; GPU node groups in ${env} must use SPOT`;
});

export const scaleToZeroOutsideProd = outsideProdGpuRule("scale-to-zero-outside-prod", "Outside prod, GPU node groups have minSize 0 so idle GPUs cost nothing overnight.", (props, env) => {
    const min = peekAt(props, "scalingConfig", "minSize");
    return min === 0 || min === UNKNOWN ? undefined : `scalingConfig.minSize is ${JSON.stringify(min ?? null)}; GPU node groups in ${env} must scale to 0`;
});

export const spotDiversification: ResourceValidationPolicy = {
    name: "spot-diversification",
    description: "Spot node groups list enough interchangeable instance types to survive a spot pool running dry.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { minInstanceTypes: { type: "integer", minimum: 1, maximum: 20, default: 2 } } },
    validateResource: (args, report) => {
        if (args.type !== NODE_GROUP_TYPE || peek(args.props, "capacityType") !== "SPOT") return;
        const configured = args.getConfig<{ minInstanceTypes?: unknown }>().minInstanceTypes;
        const min = typeof configured === "number" ? configured : 2;
        const types = instanceTypesOf(args.props);
        if (types.length < min) report(`${describeResource(args)} lists ${types.length} instance type${types.length === 1 ? "" : "s"} (${types.join(", ") || "none"}); spot groups need at least ${min}`);
    },
};
