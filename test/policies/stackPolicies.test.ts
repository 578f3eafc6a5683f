import { strict as assert } from "assert";
import { costWithinBudget, teamBudget } from "../../policies/budgetPolicies";
import { gatewayQuota } from "../../policies/gatewayQuota";
import { gpuQuota } from "../../policies/gpuQuota";
import { nodeGroup, stackResource, stackViolations } from "./helpers";

const NG = "aws:eks/nodeGroup:NodeGroup";
const budget = (team: string, limit: number, thresholds = [70, 90, 100]) => stackResource("aws:budgets/budget:Budget", `budget-${team}`, {
    name: `ai-dev-${team}`, limitAmount: limit.toFixed(2), costFilters: [{ name: "TagKeyValue", values: [`user:team$${team}`] }],
    notifications: thresholds.map((threshold) => ({ notificationType: "ACTUAL", threshold, thresholdType: "PERCENTAGE", comparisonOperator: "GREATER_THAN" })),
});
const group = (team: string, name: string, maxSize: number, instanceTypes = ["g6.xlarge"]) =>
    stackResource(NG, name, nodeGroup(team, { nodeGroupName: name, instanceTypes, scalingConfig: { minSize: 0, maxSize, desiredSize: 0 } }));

describe("stack policies", () => {
    describe("gpu-quota", () => {
        const cfg = { maxGpusPerTeam: { a: 8 }, defaultMaxGpusPerTeam: 4, maxGpusPerEnvironment: 16 };
        it("passes teams exactly at their quota", async () => {
            // a: 2 x 4-GPU nodes = 8; b: 4 x 1 = 4 (the default quota); 12 in all.
            assert.deepEqual(await stackViolations(gpuQuota, [group("a", "a1", 2, ["g6.12xlarge"]), group("b", "b1", 4)], cfg), []);
        });
        it("fails one GPU over, naming the team, its GPUs and its quota", async () => {
            assert.deepEqual(await stackViolations(gpuQuota, [group("a", "a1", 2, ["g6.12xlarge"]), group("a", "a2", 1), group("b", "b1", 4)], cfg), [
                `team a: 9 GPUs at max scale (a1: 2 x 4 GPU, a2: 1 x 1 GPU) exceeds its quota of 8 GPUs; the quota is gpu-quota.maxGpusPerTeam["a"] in the policy pack config (here policies/config/<environment>.json)`,
            ]);
        });
        it("counts the largest GPU count of a group's types and caps the environment", async () => {
            const mixed = [group("a", "a1", 1, ["g6.xlarge", "g6.12xlarge"])];
            assert.deepEqual(await stackViolations(gpuQuota, mixed, { defaultMaxGpusPerTeam: 3 }), ["team a: 4 GPUs at max scale (a1: 1 x 4 GPU) exceeds its quota of 3 GPUs; the quota is gpu-quota.defaultMaxGpusPerTeam (team a has no entry in gpu-quota.maxGpusPerTeam) in the policy pack config (here policies/config/<environment>.json)"]);
            assert.deepEqual(await stackViolations(gpuQuota, [group("a", "a1", 8), group("b", "b1", 8), group("c", "c1", 1)], { defaultMaxGpusPerTeam: 8, maxGpusPerEnvironment: 16 }),
                ["environment: 17 GPUs at max scale across 3 teams exceeds the cap of 16 GPUs; the cap is gpu-quota.maxGpusPerEnvironment in the policy pack config (here policies/config/<environment>.json)"]);
        });
        it("refuses to guess the GPUs of a type outside the catalog", async () => {
            const found = await stackViolations(gpuQuota, [stackResource(NG, "x", nodeGroup("a", { instanceTypes: ["g9.mega"], nodeGroupName: "x" }))], cfg);
            assert.deepEqual(found, ["team a: node group x lists g9.mega, not in the catalog, so its GPUs cannot be counted against the quota"]);
        });
    });

    describe("team-budget", () => {
        it("passes when every GPU team has a budget with warning and critical notifications", async () => {
            assert.deepEqual(await stackViolations(teamBudget, [group("a", "a1", 1), budget("a", 100)], { maxWarningPercent: 80 }), []);
        });
        it("fails a GPU team without a budget, or whose budget lacks a warning or a critical level", async () => {
            assert.deepEqual(await stackViolations(teamBudget, [group("a", "a1", 1)], {}), ["team a owns GPU capacity (a1) but has no budget filtered on user:team$a"]);
            assert.deepEqual(await stackViolations(teamBudget, [group("a", "a1", 1), budget("a", 100, [100])], { maxWarningPercent: 80 }),
                ["team a: budget budget-a notifies on ACTUAL at 100 %; needs a warning at or below 80 % and a critical above it"]);
            assert.equal((await stackViolations(teamBudget, [group("a", "a1", 1), budget("a", 100, [70])], {})).length, 1);
        });
    });

    describe("cost-within-budget", () => {
        const lt = stackResource("aws:ec2/launchTemplate:LaunchTemplate", "lt", { blockDeviceMappings: [{ ebs: { volumeSize: 100 } }] });
        const withTemplate = (maxSize: number) => stackResource(NG, "a1", nodeGroup("a", { nodeGroupName: "a1", instanceTypes: ["g5.xlarge"], scalingConfig: { minSize: 0, maxSize, desiredSize: 0 } }), [lt]);
        // g5.xlarge spot: $1.006 x 0.4 x 730 + 100 GiB x $0.08 = $301.752 a node.
        it("passes when the estimate at max scale fits the budget", async () => {
            assert.deepEqual(await stackViolations(costWithinBudget, [lt, withTemplate(3), budget("a", 905.26)], {}), []);
        });
        it("fails when it does not, showing both figures", async () => {
            assert.deepEqual(await stackViolations(costWithinBudget, [lt, withTemplate(3), budget("a", 900)], {}),
                ["team a: estimated $905.26/month at max scale (no provider names a region: us-east-1 prices) exceeds its budget of $900.00 (budget-a)"]);
        });
    });

    describe("gateway-quota", () => {
        const keys = (teams: string) => stackResource("kubernetes:core/v1:Secret", "keys", { metadata: { name: "team-api-keys-batch", annotations: { "ai-infra/admitted-teams": teams } } });
        const rule = (team: string, tokens: boolean) => ({
            clientSelectors: [{ headers: [{ name: "x-ai-infra-team", type: "Exact", value: team }] }], limit: { requests: 10, unit: "Minute" },
            ...(tokens ? { cost: { request: { from: "Number", number: 0 }, response: { from: "Metadata", metadata: { namespace: "io.envoy.ai_gateway", key: "llm_quota_token" } } } } : {}),
        });
        const limits = (rules: object[]) => stackResource("kubernetes:gateway.envoyproxy.io/v1alpha1:BackendTrafficPolicy", "limits", { spec: { rateLimit: { type: "Global", global: { rules } } } });
        const route = (name: string) => stackResource("kubernetes:aigateway.envoyproxy.io/v1beta1:AIGatewayRoute", name, { metadata: { name } });
        const auth = (routes: string[]) => stackResource("kubernetes:gateway.envoyproxy.io/v1alpha1:SecurityPolicy", "auth", { spec: { targetRefs: routes.map((name) => ({ kind: "HTTPRoute", name })), apiKeyAuth: { credentialRefs: [] } } });
        it("passes when every admitted team has both limits and every route requires a key", async () => {
            assert.deepEqual(await stackViolations(gatewayQuota, [keys("a,b"), limits([rule("a", false), rule("a", true), rule("b", false), rule("b", true)]), route("ai-batch"), auth(["ai-batch"])]), []);
        });
        it("counts auth on the route's listener or Gateway, but not on another listener", async () => {
            const routeOn = (name: string, sectionName?: string) => stackResource("kubernetes:aigateway.envoyproxy.io/v1beta1:AIGatewayRoute", name,
                { metadata: { name }, spec: { parentRefs: [{ name: "gw", kind: "Gateway", ...(sectionName ? { sectionName } : {}) }] } });
            const listenerAuth = (sectionName?: string) => stackResource("kubernetes:gateway.envoyproxy.io/v1alpha1:SecurityPolicy", `auth-${sectionName}`,
                { spec: { targetRefs: [{ kind: "Gateway", name: "gw", ...(sectionName ? { sectionName } : {}) }], apiKeyAuth: { credentialRefs: [] } } });
            const base = [keys("a"), limits([rule("a", false), rule("a", true)])];
            assert.deepEqual(await stackViolations(gatewayQuota, [...base, routeOn("ai-batch", "batch"), listenerAuth("batch")]), []);
            assert.deepEqual(await stackViolations(gatewayQuota, [...base, routeOn("ai-batch"), listenerAuth()]), []);
            assert.deepEqual(await stackViolations(gatewayQuota, [...base, routeOn("ai-production", "production"), listenerAuth("batch")]),
                ["route ai-production has no SecurityPolicy with API-key auth: unknown clients would reach the models"]);
            assert.deepEqual(await stackViolations(gatewayQuota, [...base, routeOn("ai-batch"), listenerAuth("batch")]),
                ["route ai-batch has no SecurityPolicy with API-key auth: unknown clients would reach the models"], "a route on every listener needs more than one listener's auth");
        });
        it("fails a team missing a limit and a route without authentication", async () => {
            assert.deepEqual(await stackViolations(gatewayQuota, [keys("a,b"), limits([rule("a", false), rule("a", true), rule("b", false)]), route("ai-batch"), route("ai-production"), auth(["ai-batch"])]), [
                "team b is admitted by the gateway but has no token limit (global rate limit rule on header x-ai-infra-team)",
                "route ai-production has no SecurityPolicy with API-key auth: unknown clients would reach the models",
            ]);
        });
    });
});
