import { strict as assert } from "assert";
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { policies } from "../../policies/pack";
import { resourceArgs, stackResource } from "./helpers";

const TYPES = [
    "aws:eks/nodeGroup:NodeGroup", "aws:ec2/launchTemplate:LaunchTemplate", "aws:elasticache/replicationGroup:ReplicationGroup", "aws:budgets/budget:Budget",
    "aws:ec2/vpc:Vpc", "kubernetes:apps/v1:Deployment", "kubernetes:core/v1:Secret", "kubernetes:gateway.envoyproxy.io/v1alpha1:BackendTrafficPolicy",
    "kubernetes:aigateway.envoyproxy.io/v1beta1:AIGatewayRoute", "kubernetes:gateway.envoyproxy.io/v1alpha1:SecurityPolicy", "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy",
];
const KEYS = ["tags", "instanceTypes", "scalingConfig", "capacityType", "amiType", "nodeType", "metadataOptions", "costFilters", "notifications", "limitAmount",
    "atRestEncryptionEnabled", "transitEncryptionEnabled", "authToken", "metadata", "spec", "blockDeviceMappings", "numCacheClusters", "instanceType", "filterExpression"];

/** A deterministic generator, so a failure reproduces. */
function rng(seed: number): () => number {
    let s = seed;
    return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

function junk(next: () => number, depth = 0): unknown {
    const pick = Math.floor(next() * 12);
    switch (pick) {
        case 0: return null;
        case 1: return undefined;
        case 2: return Number.MAX_SAFE_INTEGER * (next() > 0.5 ? 1 : -1);
        case 3: return NaN;
        case 4: return "x9.mega";
        case 5: return ["g6.xlarge", null, 7, { a: 1 }];
        case 6: return next() > 0.5;
        case 7: return "";
        case 8: return depth > 2 ? {} : Object.fromEntries(KEYS.filter(() => next() > 0.6).map((k) => [k, junk(next, depth + 1)]));
        case 9: return depth > 2 ? [] : [junk(next, depth + 1), junk(next, depth + 1)];
        case 10: return { minSize: "zero", maxSize: Infinity, desiredSize: -1 };
        default: return "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7";
    }
}

function ownKeys(policy: { configSchema?: { properties?: object } }, config: Record<string, unknown>): Record<string, unknown> {
    const declared = Object.keys(policy.configSchema?.properties ?? {});
    return Object.fromEntries(Object.entries(config).filter(([k]) => declared.includes(k)));
}

const isResource = (p: unknown): p is ResourceValidationPolicy => (p as ResourceValidationPolicy).validateResource !== undefined;
const isStack = (p: unknown): p is StackValidationPolicy => typeof (p as StackValidationPolicy).validateStack === "function";

describe("policy robustness (a crashing policy blocks every deploy)", () => {
    it("no policy throws on randomly malformed props, configs or resource sets", async () => {
        const next = rng(42);
        let runs = 0;
        for (let i = 0; i < 300; i++) {
            const type = TYPES[Math.floor(next() * TYPES.length)];
            const props = Object.fromEntries(KEYS.filter(() => next() > 0.5).map((k) => [k, junk(next)]));
            const junkConfig = next() > 0.5 ? {} : Object.fromEntries(["environment", "allowedInstanceTypes", "minInstanceTypes", "maxGpusPerTeam", "spotDiscount", "maxWarningPercent", "knownTeams", "requiredTags", "teamLabel", "workloadNamespaces"].map((k) => [k, junk(next)]));
            for (const policy of policies) {
                // Junk values under the keys each policy declares (an undeclared key is a config error, tested in configKeys).
                const config = ownKeys(policy, junkConfig);
                if (isResource(policy)) {
                    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
                    for (const v of validations) await v(resourceArgs(type, props, config), () => undefined);
                    if (policy.remediateResource) await policy.remediateResource(resourceArgs(type, props, config));
                    runs++;
                }
                if (isStack(policy)) {
                    const resources: PolicyResource[] = [stackResource(type, "a", props), stackResource(TYPES[i % TYPES.length], "b", Object.fromEntries(KEYS.map((k) => [k, junk(next)])))];
                    await policy.validateStack({ resources, stackTags: new Map(), getConfig: <T extends object>() => config as T, notApplicable: () => { throw new Error("n/a"); } }, () => undefined);
                    runs++;
                }
            }
        }
        assert.ok(runs >= 300 * policies.length);
    });

    it("with unknown preview values, raises only the engine's UnknownValueError (shown as advisory), never a TypeError", async () => {
        // Lazily required: the proxy is @pulumi/policy's own, as the engine applies it to every resource.
        const proxy = require("@pulumi/policy/proxy") as { unknownCheckingProxy: (o: object) => Record<string, unknown>; UnknownValueError: new (...a: unknown[]) => Error; unknownStringValue: string; unknownArrayValue: string; unknownObjectValue: string };
        const unknownProps = proxy.unknownCheckingProxy({
            tags: proxy.unknownObjectValue, instanceTypes: proxy.unknownArrayValue, capacityType: proxy.unknownStringValue, scalingConfig: proxy.unknownObjectValue,
            authToken: proxy.unknownStringValue, nodeType: proxy.unknownStringValue, metadataOptions: proxy.unknownObjectValue, spec: proxy.unknownObjectValue,
        });
        for (const policy of policies.filter(isResource)) {
            for (const type of TYPES) {
                try {
                    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
                    for (const v of validations) await v(resourceArgs(type, unknownProps, ownKeys(policy, { environment: "dev" })), () => undefined);
                } catch (e) {
                    assert.ok(e instanceof proxy.UnknownValueError, `${policy.name} on ${type}: ${e}`);
                }
            }
        }
    });
});
