import {
    EnforcementLevel, Policies, PolicyProviderResource, PolicyResource, PolicyResourceOptions, ReportViolation, ResourceValidationArgs,
    ResourceValidationPolicy, StackValidationPolicy,
} from "@pulumi/policy";
import { providerFor } from "./defaultProviders";
import type { RecordedResource } from "./mockRuntime";
import { ResolvedPolicyConfig } from "./policyConfig";

export interface Violation {
    policy: string;
    enforcementLevel: EnforcementLevel;
    urn?: string;
    message: string;
}

export interface Remediation {
    policy: string;
    urn: string;
    /** Top-level props the remediation changed. */
    changed: string[];
}

export interface Judgement {
    violations: Violation[];
    remediations: Remediation[];
    /** Number of (policy, resource) validations run plus stack validations. */
    checks: number;
}

class NotApplicable extends Error {
    constructor(readonly reason?: string) { super(reason ?? "not applicable"); }
}
const notApplicable = (reason?: string): never => { throw new NotApplicable(reason); };

function typeOf(resourceClass: unknown): string | undefined {
    return (resourceClass as { __pulumiType?: string }).__pulumiType;
}

function options(r: RecordedResource): PolicyResourceOptions {
    return {
        protect: r.protect,
        ignoreChanges: r.ignoreChanges,
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        parent: r.parent,
    };
}

function isResourcePolicy(p: unknown): p is ResourceValidationPolicy {
    return typeof (p as ResourceValidationPolicy).validateResource !== "undefined" || typeof (p as ResourceValidationPolicy).remediateResource === "function";
}

function isStackPolicy(p: unknown): p is StackValidationPolicy {
    return typeof (p as StackValidationPolicy).validateStack === "function";
}

/**
 * Judge recorded resources with a policy pack as `pulumi preview --policy-pack` does: resource policies on
 * every custom resource (remediations applied first when the level is `remediate`, then validated as
 * mandatory), stack policies once over all resources; `disabled` policies skipped. A policy that throws
 * is reported as a mandatory violation of that policy: in a real preview it would fail the run.
 */
export async function judge(resources: RecordedResource[], policies: Policies, config: Map<string, ResolvedPolicyConfig>, stackTags: ReadonlyMap<string, string> = new Map(),
    defaultProviders: ReadonlyMap<string, PolicyProviderResource> = new Map()): Promise<Judgement> {
    const violations: Violation[] = [];
    const remediations: Remediation[] = [];
    let checks = 0;
    const props = new Map(resources.map((r) => [r.urn, { ...r.inputs }]));
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    // Options and provider views are the same for every policy: built once per resource, not once per policy.
    const optionsOf = new Map(resources.map((r) => [r.urn, options(r)]));
    const providers = new Map(resources.map((r) => [r.urn, providerFor(r, byUrn, defaultProviders)]));
    const providerOf = (r: RecordedResource) => providers.get(r.urn);

    for (const policy of policies) {
        const cfg = config.get(policy.name);
        const level = cfg?.enforcementLevel ?? policy.enforcementLevel ?? "advisory";
        if (level === "disabled") continue;
        const reportLevel: EnforcementLevel = level === "remediate" ? "mandatory" : level;
        const getConfig = <T extends object>() => ({ ...(cfg?.properties ?? {}) }) as T;
        const crash = (urn: string | undefined, e: unknown) => violations.push({
            policy: policy.name, enforcementLevel: "mandatory", urn,
            message: `policy ${policy.name} threw while validating${urn ? ` ${urn}` : " the stack"}: ${e instanceof Error ? e.message : String(e)}`,
        });

        if (isResourcePolicy(policy)) {
            for (const r of resources) {
                if (!r.custom) continue;
                const args: ResourceValidationArgs = {
                    type: r.type, props: props.get(r.urn)!, urn: r.urn, name: r.name, opts: optionsOf.get(r.urn)!, provider: providerOf(r), stackTags,
                    isType: (cls) => typeOf(cls) === r.type,
                    asType: ((cls: unknown) => (typeOf(cls) === r.type ? args.props : undefined)) as ResourceValidationArgs["asType"],
                    getConfig, notApplicable,
                };
                try {
                    if (level === "remediate" && policy.remediateResource) {
                        const fixed = await policy.remediateResource(args);
                        if (fixed && typeof fixed === "object") {
                            const changed = Object.keys(fixed).filter((k) => JSON.stringify(fixed[k]) !== JSON.stringify(args.props[k]));
                            if (changed.length > 0) {
                                props.set(r.urn, fixed);
                                args.props = fixed;
                                remediations.push({ policy: policy.name, urn: r.urn, changed });
                            }
                        }
                    }
                    const validations = policy.validateResource === undefined ? [] : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
                    for (const validate of validations) {
                        checks++;
                        const report: ReportViolation = (message, urn) => violations.push({ policy: policy.name, enforcementLevel: reportLevel, urn: urn ?? r.urn, message });
                        // Most validations are synchronous: awaiting only a promise spares ~30,000 microtask turns in a large plan.
                        const pending = validate(args, report);
                        if (pending instanceof Promise) await pending;
                    }
                } catch (e) {
                    if (!(e instanceof NotApplicable)) crash(r.urn, e);
                }
            }
        }
        if (isStackPolicy(policy)) {
            const policyResources = new Map<string, PolicyResource>();
            for (const r of resources) {
                const pr: PolicyResource = {
                    type: r.type, props: props.get(r.urn)!, urn: r.urn, name: r.name, opts: optionsOf.get(r.urn)!, provider: providerOf(r),
                    dependencies: [], propertyDependencies: {},
                    isType: (cls) => typeOf(cls) === r.type,
                    asType: ((cls: unknown) => (typeOf(cls) === r.type ? props.get(r.urn) : undefined)) as PolicyResource["asType"],
                };
                policyResources.set(r.urn, pr);
            }
            for (const r of resources) {
                const pr = policyResources.get(r.urn)!;
                pr.parent = r.parent ? policyResources.get(r.parent) : undefined;
                pr.dependencies = r.dependencies.map((d) => policyResources.get(d)).filter((d): d is PolicyResource => d !== undefined);
            }
            checks++;
            try {
                await policy.validateStack({ resources: [...policyResources.values()], stackTags, getConfig, notApplicable },
                    (message, urn) => violations.push({ policy: policy.name, enforcementLevel: reportLevel, urn, message }));
            } catch (e) {
                if (!(e instanceof NotApplicable)) crash(undefined, e);
            }
        }
    }
    return { violations, remediations, checks };
}
