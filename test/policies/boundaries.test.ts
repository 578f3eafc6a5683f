import { strict as assert } from "assert";
import { cacheEncryption, cacheRightSize, imdsv2Required } from "../../policies/cacheAndInstances";
import { gatewayQuota, teamLimits } from "../../policies/gatewayQuota";
import { gpuQuota } from "../../policies/gpuQuota";
import { rightSizeFromUsage } from "../../policies/rightSizeFromUsage";
import { nodeGroup, resourceArgs, stackResource, stackViolations, violations } from "./helpers";

const NG = "aws:eks/nodeGroup:NodeGroup";
const RG = "aws:elasticache/replicationGroup:ReplicationGroup";

describe("policy boundaries and filters", () => {
    describe("gpu-quota", () => {
        // g5.xlarge: 1 GPU per node, so maxSize = GPUs.
        const groups = (...sizes: [string, number][]) => sizes.map(([team, maxSize], i) =>
            stackResource(NG, `g${i}`, nodeGroup(team, { instanceTypes: ["g5.xlarge"], scalingConfig: { minSize: 0, maxSize, desiredSize: 0 } })));
        const envCap = "environment: 16 GPUs at max scale across 2 teams exceeds the cap of 15 GPUs; the cap is gpu-quota.maxGpusPerEnvironment in the policy pack config (here policies/config/<environment>.json)";

        it("the environment cap holds at n (16 of 16) and fails at n + 1", async () => {
            const cfg = (cap: number) => ({ defaultMaxGpusPerTeam: 100, maxGpusPerEnvironment: cap });
            assert.deepEqual(await stackViolations(gpuQuota, groups(["a", 8], ["b", 8]), cfg(17)), []);
            assert.deepEqual(await stackViolations(gpuQuota, groups(["a", 8], ["b", 8]), cfg(16)), []);
            assert.deepEqual(await stackViolations(gpuQuota, groups(["a", 8], ["b", 8]), cfg(15)), [envCap]);
            assert.deepEqual(await stackViolations(gpuQuota, groups(["a", 16]), cfg(15)),
                ["environment: 16 GPUs at max scale across 1 team exceeds the cap of 15 GPUs; the cap is gpu-quota.maxGpusPerEnvironment in the policy pack config (here policies/config/<environment>.json)"]);
        });

        it("uses the defaults (8 per team, 32 per environment) when the config has none", async () => {
            assert.deepEqual(await stackViolations(gpuQuota, groups(["a", 8], ["b", 8], ["c", 8], ["d", 8]), {}), []);
            const over = await stackViolations(gpuQuota, groups(["a", 9], ["b", 8], ["c", 8], ["d", 8]), {});
            assert.equal(over.length, 2);
            assert.match(over[0], /^team a: 9 GPUs at max scale .* exceeds its quota of 8 GPUs; the quota is gpu-quota.defaultMaxGpusPerTeam \(team a has no entry in gpu-quota.maxGpusPerTeam\)/);
            assert.match(over[1], /^environment: 33 GPUs at max scale across 4 teams exceeds the cap of 32 GPUs/);
        });

        it("a team's own quota beats the default, at n and n + 1, and the violation lands on its largest group", async () => {
            const cfg = { maxGpusPerTeam: { a: 3 }, defaultMaxGpusPerTeam: 1 };
            assert.deepEqual(await stackViolations(gpuQuota, groups(["a", 1], ["a", 2]), cfg), []);
            const found: { message: string; urn?: string }[] = [];
            await gpuQuota.validateStack({ resources: groups(["a", 1], ["a", 3]), stackTags: new Map(), getConfig: <T extends object>() => cfg as T, notApplicable: () => { throw new Error(); } },
                (message, urn) => found.push({ message, urn }));
            assert.equal(found.length, 1);
            assert.match(found[0].message, /^team a: 4 GPUs .* exceeds its quota of 3 GPUs; the quota is gpu-quota.maxGpusPerTeam\["a"\] in /);
            assert.equal(found[0].urn, "urn:pulumi:dev::ai-infra::aws:eks/nodeGroup:NodeGroup::g1");
            assert.equal((await stackViolations(gpuQuota, groups(["b", 2]), cfg)).length, 1, "b falls back to the default of 1");
        });
    });

    describe("gateway-quota", () => {
        const keys = (teams: string) => stackResource("kubernetes:core/v1:Secret", "keys", { metadata: { name: "team-api-keys-batch", annotations: { "ai-infra/admitted-teams": teams } } });
        const header = (over: Record<string, unknown> = {}) => ({ name: "x-ai-infra-team", type: "Exact", value: "a", ...over });
        const rule = (h: Record<string, unknown>, tokens: boolean) => ({
            clientSelectors: [{ headers: [h] }], limit: { requests: 10, unit: "Minute" },
            ...(tokens ? { cost: { request: { from: "Number", number: 0 }, response: { from: "Metadata", metadata: { namespace: "io.envoy.ai_gateway", key: "llm_quota_token" } } } } : {}),
        });
        const limits = (rules: object[]) => stackResource("kubernetes:gateway.envoyproxy.io/v1alpha1:BackendTrafficPolicy", "limits", { spec: { rateLimit: { type: "Global", global: { rules } } } });

        it("counts only Exact matches on the team header as a team's limit", async () => {
            assert.deepEqual([...teamLimits([rule(header(), false), rule(header({ type: undefined }), true)])], [["a", { requests: true, tokens: true }]]);
            for (const bad of [{ name: "x-other" }, { type: "Distinct" }, { type: "RegularExpression" }, { value: 7 }]) {
                assert.deepEqual([...teamLimits([rule(header(bad), false), rule(header(bad), true)])], [], JSON.stringify(bad));
                assert.deepEqual(await stackViolations(gatewayQuota, [keys("a"), limits([rule(header(bad), false), rule(header(bad), true)])]),
                    ["team a is admitted by the gateway but has no request limit and no token limit (global rate limit rule on header x-ai-infra-team)"], JSON.stringify(bad));
            }
        });

        it("reads admitted teams from the annotation, trimmed, blanks skipped, on Secrets only", async () => {
            const both = limits([rule(header({ value: "b" }), false), rule(header({ value: "b" }), true)]);
            assert.deepEqual(await stackViolations(gatewayQuota, [keys(" b , ,"), both]), []);
            const notSecret = stackResource("kubernetes:core/v1:ConfigMap", "cm", { metadata: { annotations: { "ai-infra/admitted-teams": "c" } } });
            assert.deepEqual(await stackViolations(gatewayQuota, [notSecret, both]), []);
            assert.deepEqual(await stackViolations(gatewayQuota, [keys("b,c"), both]),
                ["team c is admitted by the gateway but has no request limit and no token limit (global rate limit rule on header x-ai-infra-team)"]);
        });

        it("counts only SecurityPolicies with apiKeyAuth as protecting a route", async () => {
            const route = stackResource("kubernetes:aigateway.envoyproxy.io/v1beta1:AIGatewayRoute", "r", { metadata: { name: "ai-batch" } });
            const targeting = (type: string, spec: Record<string, unknown>) => stackResource(type, "p", { spec: { targetRefs: [{ kind: "HTTPRoute", name: "ai-batch" }], ...spec } });
            const unprotected = ["route ai-batch has no SecurityPolicy with API-key auth: unknown clients would reach the models"];
            assert.deepEqual(await stackViolations(gatewayQuota, [route, targeting("kubernetes:gateway.envoyproxy.io/v1alpha1:BackendTrafficPolicy", { apiKeyAuth: {} })]), unprotected);
            assert.deepEqual(await stackViolations(gatewayQuota, [route, targeting("kubernetes:gateway.envoyproxy.io/v1alpha1:SecurityPolicy", { basicAuth: {} })]), unprotected);
            assert.deepEqual(await stackViolations(gatewayQuota, [route, targeting("kubernetes:gateway.envoyproxy.io/v1alpha1:SecurityPolicy", { apiKeyAuth: {} })]), []);
        });
    });

    describe("right-size-from-usage", () => {
        const props = (maxSize: number) => ({ nodeGroupName: "serve", capacityType: "ON_DEMAND", instanceTypes: ["g5.xlarge"], scalingConfig: { minSize: 0, maxSize, desiredSize: 0 } });
        const cfg = (demandGpus: number, marginPercent?: number) => ({ ...(marginPercent === undefined ? {} : { marginPercent }), usage: { serve: { p95GpuUtilization: 10, peakNodes: 1, demandGpus } } });
        const count = async (maxSize: number, c: object) => (await violations(rightSizeFromUsage, resourceArgs(NG, props(maxSize), c, "serve"))).length;

        it("applies the configured margin: 0 % allows exactly the demand", async () => {
            assert.equal(await count(2, cfg(2, 0)), 0);
            assert.equal(await count(3, cfg(2, 0)), 1);
            assert.equal(await count(4, cfg(2, 100)), 0);
            assert.equal(await count(5, cfg(2, 100)), 1);
        });

        it("defaults the margin to 50 % and treats zero demand as one GPU", async () => {
            assert.equal(await count(3, cfg(2)), 0);
            assert.equal(await count(4, cfg(2)), 1);
            assert.equal(await count(1, cfg(0, 0)), 0, "demand 0 counts as 1: one GPU is the least a group can offer");
            assert.equal(await count(2, cfg(0, 0)), 1);
        });

        it("leaves non-GPU groups, other resource types and groups without a numeric maxSize alone", async () => {
            assert.equal((await violations(rightSizeFromUsage, resourceArgs(NG, { ...props(9), instanceTypes: ["m7i.large"], amiType: "AL2023_x86_64_STANDARD" }, cfg(1), "serve"))).length, 0);
            assert.equal((await violations(rightSizeFromUsage, resourceArgs("aws:ec2/instance:Instance", props(9), cfg(1), "serve"))).length, 0);
            assert.equal((await violations(rightSizeFromUsage, resourceArgs(NG, { ...props(9), scalingConfig: {} }, cfg(1), "serve"))).length, 0);
            assert.equal((await violations(rightSizeFromUsage, resourceArgs(NG, props(9), { usage: { serve: { demandGpus: "1" } } }, "serve"))).length, 0);
            const { nodeGroupName: _, ...unnamed } = props(9);
            assert.equal((await violations(rightSizeFromUsage, resourceArgs(NG, unnamed, cfg(1), "serve"))).length, 1, "falls back to the resource name");
        });
    });

    describe("cache and instance policies", () => {
        const good = { nodeType: "cache.t4g.small", atRestEncryptionEnabled: true, transitEncryptionEnabled: true, transitEncryptionMode: "required", authToken: "t" };
        const enc = async (p: Record<string, unknown>) => violations(cacheEncryption, resourceArgs(RG, p, {}, "c"));
        const unauthenticated = 'aws:elasticache/replicationGroup:ReplicationGroup "c" has neither an AUTH token nor RBAC user groups; clients must authenticate';

        it("an empty, null or blank AUTH token, or no user groups, is not authentication", async () => {
            const { authToken: _, ...noToken } = good;
            for (const over of [{}, { authToken: "" }, { authToken: null }, { userGroupIds: [] }, { authTokenWo: "" }]) {
                assert.deepEqual(await enc({ ...noToken, ...over }), [unauthenticated], JSON.stringify(over));
            }
            for (const over of [{ authTokenWo: "t" }, { userGroupIds: ["g"] }]) assert.deepEqual(await enc({ ...noToken, ...over }), [], JSON.stringify(over));
        });

        it("requires TLS mode `required` only when transit encryption is on, and reports each missing setting", async () => {
            assert.deepEqual(await enc({ ...good, transitEncryptionMode: "preferred" }), ['aws:elasticache/replicationGroup:ReplicationGroup "c" transitEncryptionMode is "preferred"; must be "required" (preferred still accepts plaintext)']);
            const { transitEncryptionMode: _, ...noMode } = good;
            assert.deepEqual(await enc(noMode), []);
            assert.deepEqual(await enc({ ...good, atRestEncryptionEnabled: false, transitEncryptionEnabled: undefined }), [
                'aws:elasticache/replicationGroup:ReplicationGroup "c" atRestEncryptionEnabled is false; must be true',
                'aws:elasticache/replicationGroup:ReplicationGroup "c" transitEncryptionEnabled is null; must be true',
            ]);
            assert.deepEqual(await violations(cacheEncryption, resourceArgs("aws:elasticache/cluster:Cluster", {}, {}, "c")), [], "only replication groups");
        });

        it("cache-right-size: the configured allowlist replaces the default; clusters are judged too", async () => {
            const size = async (type: string, nodeType: unknown, cfg: object = {}) => violations(cacheRightSize, resourceArgs(type, { nodeType }, cfg, "c"));
            assert.deepEqual(await size(RG, "cache.t4g.medium"), []);
            assert.deepEqual(await size(RG, "cache.r7g.large"), ['aws:elasticache/replicationGroup:ReplicationGroup "c" nodeType "cache.r7g.large" is not allowed here; allowed: cache.t4g.micro, cache.t4g.small, cache.t4g.medium']);
            assert.deepEqual(await size(RG, "cache.r7g.large", { allowedNodeTypes: ["cache.r7g.large"] }), []);
            assert.deepEqual(await size(RG, "cache.t4g.small", { allowedNodeTypes: ["cache.r7g.large", 5] }), ['aws:elasticache/replicationGroup:ReplicationGroup "c" nodeType "cache.t4g.small" is not allowed here; allowed: cache.r7g.large']);
            assert.deepEqual(await size("aws:elasticache/cluster:Cluster", undefined), ['aws:elasticache/cluster:Cluster "c" nodeType null is not allowed here; allowed: cache.t4g.micro, cache.t4g.small, cache.t4g.medium']);
            assert.deepEqual(await size("aws:ec2/instance:Instance", "cache.r7g.large"), []);
        });

        it("imdsv2-required: instances and launch templates need httpTokens required unless the endpoint is disabled", async () => {
            const imds = async (type: string, metadataOptions?: object) => violations(imdsv2Required, resourceArgs(type, metadataOptions ? { metadataOptions } : {}, {}, "i"));
            assert.deepEqual(await imds("aws:ec2/instance:Instance"), ['aws:ec2/instance:Instance "i" metadataOptions.httpTokens is null; must be "required" (IMDSv2)']);
            assert.deepEqual(await imds("aws:ec2/launchTemplate:LaunchTemplate", { httpTokens: "optional" }), ['aws:ec2/launchTemplate:LaunchTemplate "i" metadataOptions.httpTokens is "optional"; must be "required" (IMDSv2)']);
            assert.deepEqual(await imds("aws:ec2/instance:Instance", { httpTokens: "required" }), []);
            assert.deepEqual(await imds("aws:ec2/instance:Instance", { httpEndpoint: "disabled" }), []);
            assert.deepEqual(await imds("aws:ec2/instance:Instance", { httpEndpoint: "enabled", httpTokens: "optional" }).then((v) => v.length), 1);
            assert.deepEqual(await imds("aws:ec2/vpc:Vpc"), []);
        });
    });
});
