import { strict as assert } from "assert";
import { cacheEncryption, cacheRightSize, imdsv2Required } from "../../policies/cacheAndInstances";
import { gatewayQuota } from "../../policies/gatewayQuota";
import { gpuQuota } from "../../policies/gpuQuota";
import { gpuInstanceAllowlist, scaleToZeroOutsideProd, spotOutsideProd } from "../../policies/nodeGroups";
import { rightSizeFromUsage } from "../../policies/rightSizeFromUsage";
import { nodeGroup, resourceArgs, stackResource, stackViolations, violations } from "./helpers";

// @pulumi/policy's own sentinels for values a preview does not know yet (proxy.js).
const proxy = require("@pulumi/policy/proxy") as { unknownStringValue: string; unknownArrayValue: string; unknownBooleanValue: string; unknownNumberValue: string };
const U = { s: proxy.unknownStringValue, a: proxy.unknownArrayValue, b: proxy.unknownBooleanValue, n: proxy.unknownNumberValue };
const NG = "aws:eks/nodeGroup:NodeGroup";
const RG = "aws:elasticache/replicationGroup:ReplicationGroup";

describe("policies: values a preview does not know are judged at the update, not guessed", () => {
    const good = { nodeType: "cache.t4g.small", atRestEncryptionEnabled: true, transitEncryptionEnabled: true, transitEncryptionMode: "required", authToken: "t" };
    const enc = (p: Record<string, unknown>) => violations(cacheEncryption, resourceArgs(RG, p, {}, "c"));

    it("cache: an unknown token, user group list, encryption flag or TLS mode is no violation", async () => {
        const { authToken: _, ...noToken } = good;
        assert.deepEqual(await enc({ ...noToken, authToken: U.s }), []);
        assert.deepEqual(await enc({ ...noToken, userGroupIds: U.a }), []);
        assert.deepEqual(await enc({ ...good, atRestEncryptionEnabled: U.b }), []);
        assert.deepEqual(await enc({ ...good, transitEncryptionEnabled: U.b }), []);
        assert.deepEqual(await enc({ ...good, transitEncryptionMode: U.s }), []);
        assert.deepEqual(await violations(cacheRightSize, resourceArgs(RG, { nodeType: U.s }, {}, "c")), []);
        assert.equal((await violations(cacheRightSize, resourceArgs(RG, { nodeType: 5 }, {}, "c"))).length, 1);
    });

    it("IMDSv2: an unknown endpoint or token setting is no violation", async () => {
        const imds = (m: Record<string, unknown>) => violations(imdsv2Required, resourceArgs("aws:ec2/instance:Instance", { metadataOptions: m }, {}, "i"));
        assert.deepEqual(await imds({ httpEndpoint: U.s, httpTokens: "optional" }), []);
        assert.deepEqual(await imds({ httpEndpoint: "enabled", httpTokens: U.s }), []);
    });

    it("outside prod: an unknown capacity type or minSize is no violation", async () => {
        assert.deepEqual(await violations(spotOutsideProd, resourceArgs(NG, nodeGroup("a", { capacityType: U.s }), { environment: "dev" }, "g")), []);
        assert.deepEqual(await violations(scaleToZeroOutsideProd, resourceArgs(NG, nodeGroup("a", { scalingConfig: { minSize: U.n, maxSize: 2 } }), { environment: "dev" }, "g")), []);
    });

    const keys = (teams: string) => stackResource("kubernetes:core/v1:Secret", "keys", { metadata: { annotations: { "ai-infra/admitted-teams": teams } } });
    const header = (value: string) => ({ name: "x-ai-infra-team", type: "Exact", value });
    const requestRule = (team: string) => ({ clientSelectors: [{ headers: [header(team)] }], limit: { requests: 10, unit: "Minute" } });
    const tokenRule = (team: string) => ({ ...requestRule(team), cost: { response: { from: "Metadata" } } });
    const BTP = "kubernetes:gateway.envoyproxy.io/v1alpha1:BackendTrafficPolicy";
    const SP = "kubernetes:gateway.envoyproxy.io/v1alpha1:SecurityPolicy";
    const ROUTE = "kubernetes:aigateway.envoyproxy.io/v1beta1:AIGatewayRoute";

    it("gateway-quota: unknown rules or policy targets defer the verdict", async () => {
        const unknownRules = stackResource(BTP, "limits", { spec: { rateLimit: { global: { rules: U.a } } } });
        assert.deepEqual(await stackViolations(gatewayQuota, [keys("a"), unknownRules]), []);
        const route = stackResource(ROUTE, "r", { metadata: { name: "ai-batch" } });
        const unknownTargets = stackResource(SP, "auth", { spec: { targetRefs: U.a, apiKeyAuth: {} } });
        assert.deepEqual(await stackViolations(gatewayQuota, [route, unknownTargets]), []);
    });

    it("gateway-quota: a team needs both limits; only BackendTrafficPolicies carry them", async () => {
        const limits = (rules: object[], type = BTP) => stackResource(type, "limits", { spec: { rateLimit: { global: { rules } } } });
        assert.deepEqual(await stackViolations(gatewayQuota, [keys("a"), limits([tokenRule("a")])]), ["team a is admitted by the gateway but has no request limit (global rate limit rule on header x-ai-infra-team)"]);
        assert.deepEqual(await stackViolations(gatewayQuota, [keys("a"), limits([requestRule("a")])]), ["team a is admitted by the gateway but has no token limit (global rate limit rule on header x-ai-infra-team)"]);
        assert.deepEqual(await stackViolations(gatewayQuota, [keys("a"), limits([requestRule("a"), tokenRule("a")], "kubernetes:core/v1:ConfigMap")]),
            ["team a is admitted by the gateway but has no request limit and no token limit (global rate limit rule on header x-ai-infra-team)"]);
    });

    it("gateway-quota: a route attached to two listeners needs auth on both; nameless refs and routes of other kinds are ignored", async () => {
        const route = (type = ROUTE) => stackResource(type, "r", { metadata: { name: "ai" }, spec: { parentRefs: [{ kind: "Gateway", name: "gw", sectionName: "batch" }, { kind: "Gateway", name: "gw", sectionName: "production" }] } });
        const auth = (...sections: string[]) => stackResource(SP, "auth", { spec: { targetRefs: [...sections.map((sectionName) => ({ kind: "Gateway", name: "gw", sectionName })), { kind: "HTTPRoute" }], apiKeyAuth: {} } });
        assert.deepEqual(await stackViolations(gatewayQuota, [route(), auth("batch", "production")]), []);
        assert.deepEqual(await stackViolations(gatewayQuota, [route(), auth("batch")]), ["route ai has no SecurityPolicy with API-key auth: unknown clients would reach the models"]);
        assert.deepEqual(await stackViolations(gatewayQuota, [route("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"), auth()]), []);
        assert.deepEqual(await stackViolations(gatewayQuota, [route("kubernetes:aigateway.envoyproxy.io/v1beta1:AIServiceBackend"), auth()]), []);
    });

    it("gpu-quota: the violation points at the group with the most GPUs, not the most nodes", async () => {
        const found: { urn?: string }[] = [];
        const g = (name: string, instanceTypes: string[], maxSize: number) => stackResource(NG, name, nodeGroup("a", { nodeGroupName: name, instanceTypes, scalingConfig: { minSize: 0, maxSize, desiredSize: 0 } }));
        await gpuQuota.validateStack({ resources: [g("many-nodes", ["g5.xlarge"], 3), g("many-gpus", ["g6.12xlarge"], 1)], stackTags: new Map(), getConfig: <T extends object>() => ({ defaultMaxGpusPerTeam: 1 }) as T, notApplicable: () => { throw new Error(); } },
            (_m, urn) => found.push({ urn }));
        assert.deepEqual(found.map((f) => f.urn), ["urn:pulumi:dev::ai-infra::aws:eks/nodeGroup:NodeGroup::many-gpus"]);
    });

    it("node group policies: a non-string environment reads as `this environment`; non-string patterns are skipped", async () => {
        assert.deepEqual(await violations(spotOutsideProd, resourceArgs(NG, nodeGroup("a", { capacityType: "ON_DEMAND" }), { environment: 5 }, "g")),
            ['aws:eks/nodeGroup:NodeGroup "g" capacityType is "ON_DEMAND"; GPU node groups in this environment must use SPOT']);
        assert.deepEqual(await violations(gpuInstanceAllowlist, resourceArgs(NG, nodeGroup("a", { instanceTypes: ["g6.xlarge"] }), { allowedInstanceTypes: [5, "g6.*"] }, "g")), []);
        const overrides = { mixedInstancesPolicy: { launchTemplate: { overrides: [{ instanceType: "p5.48xlarge" }] } } };
        assert.deepEqual(await violations(gpuInstanceAllowlist, resourceArgs("aws:ec2/fleet:Fleet", overrides, {}, "f")), [], "only Auto Scaling groups are read through overrides");
    });

    it("right-size-from-usage: usage is keyed by nodeGroupName; unknown types and a missing audit date are handled", async () => {
        const props = (over: Record<string, unknown> = {}) => ({ nodeGroupName: "serve", instanceTypes: ["g5.xlarge"], scalingConfig: { minSize: 0, maxSize: 9 }, ...over });
        const cfg = (usage: Record<string, unknown> = { p95GpuUtilization: 10, peakNodes: 1, demandGpus: 1 }) => ({ usage: { serve: usage } });
        const found = await violations(rightSizeFromUsage, resourceArgs(NG, props(), cfg(), "pulumi-name"));
        assert.equal(found.length, 1, "found by nodeGroupName, not the Pulumi name");
        assert.ok(found[0].endsWith("(on nodes that did work; p95 utilisation 10 % on up to 1 node(s)); more than 50 % above demand"), found[0]);
        assert.deepEqual(await violations(rightSizeFromUsage, resourceArgs(NG, props({ instanceTypes: ["g9.mega"], amiType: "AL2023_x86_64_NVIDIA" }), cfg(), "x")), []);
    });
});
