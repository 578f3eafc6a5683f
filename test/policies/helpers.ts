import { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

const OPTS = { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] };

export function resourceArgs(type: string, props: Record<string, unknown>, config: object = {}, name = "r"): ResourceValidationArgs {
    return {
        type, props, urn: `urn:pulumi:dev::ai-infra::${type}::${name}`, name,
        opts: OPTS,
        stackTags: new Map(),
        isType: () => false, asType: () => undefined,
        getConfig: <T extends object>() => config as T,
        notApplicable: () => { throw new Error("n/a"); },
    };
}

export async function violations(policy: ResourceValidationPolicy, args: ResourceValidationArgs): Promise<string[]> {
    const found: string[] = [];
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
    for (const v of validations) await v(args, (m) => found.push(m));
    return found;
}

export function stackResource(type: string, name: string, props: Record<string, unknown>, dependencies: PolicyResource[] = []): PolicyResource {
    return {
        type, name, props, urn: `urn:pulumi:dev::ai-infra::${type}::${name}`,
        opts: OPTS,
        dependencies, propertyDependencies: {},
        isType: () => false, asType: () => undefined,
    };
}

export async function stackViolations(policy: StackValidationPolicy, resources: PolicyResource[], config: object = {}): Promise<string[]> {
    const found: string[] = [];
    await policy.validateStack({ resources, stackTags: new Map(), getConfig: <T extends object>() => config as T, notApplicable: () => { throw new Error("n/a"); } }, (m) => found.push(m));
    return found;
}

/** A GPU node group's props as GpuNodeGroup declares them. */
export function nodeGroup(team: string, over: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        nodeGroupName: `${team}-gpu`, capacityType: "SPOT", amiType: "AL2023_x86_64_NVIDIA", instanceTypes: ["g6.xlarge", "g5.xlarge"],
        scalingConfig: { minSize: 0, maxSize: 2, desiredSize: 0 }, tags: { team, "cost-center": "C", environment: "dev", owner: "o@x.io", "managed-by": "pulumi" }, ...over,
    };
}
