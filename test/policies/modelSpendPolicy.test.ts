import { strict as assert } from "assert";
import { costWithinBudget, modelSpendWithinBudget } from "../../policies/budgetPolicies";
import { METERING_QUOTAS_VARIABLE, TeamModelQuota } from "../../components/modelSpend";
import { estimateCost } from "../../lib/cost";
import { nodeGroup, stackResource, stackViolations } from "./helpers";

const budget = (team: string, limit: number) => stackResource("aws:budgets/budget:Budget", `budget-${team}`, {
    name: `ai-dev-${team}`, limitAmount: limit.toFixed(2), costFilters: [{ name: "TagKeyValue", values: [`user:team$${team}`] }],
    notifications: [70, 90, 100].map((threshold) => ({ notificationType: "ACTUAL", threshold, thresholdType: "PERCENTAGE", comparisonOperator: "GREATER_THAN" })),
});
const metering = (quotas: TeamModelQuota[]) => stackResource("aws:lambda/function:Function", "meter", {
    name: "ai-dev-model-spend", environment: { variables: { [METERING_QUOTAS_VARIABLE]: JSON.stringify(quotas) } },
});
// gpt-4o-mini: the dearest rate is output, $0.60 per 1M. 1,000 tokens/min x 43,800 min = 43.8M tokens = $26.28.
const quota = (team: string, modelBudgetUsd: number, tokensPerMinute = 1000): TeamModelQuota => ({ team, tokensPerMinute, modelBudgetUsd, models: [{ provider: "openai", model: "gpt-4o-mini" }] });
const lt = stackResource("aws:ec2/launchTemplate:LaunchTemplate", "lt", { blockDeviceMappings: [{ ebs: { volumeSize: 100 } }] });
// g5.xlarge spot: $301.752 a node, $301.75 in the estimate; with the quota's $26.28, $328.03.
const group = stackResource("aws:eks/nodeGroup:NodeGroup", "a1", nodeGroup("a", { nodeGroupName: "a1", instanceTypes: ["g5.xlarge"], scalingConfig: { minSize: 0, maxSize: 1, desiredSize: 0 } }), [lt]);

describe("model-spend-within-budget", () => {
    it("passes when a month at the token quota fits the model budget and the total fits the budget", async () => {
        assert.deepEqual(await stackViolations(modelSpendWithinBudget, [lt, group, budget("a", 328.03), metering([quota("a", 26.28)])]), []);
    });

    it("flags a quota whose month exceeds the model budget, and a total past the budget, one cent over", async () => {
        assert.deepEqual(await stackViolations(modelSpendWithinBudget, [lt, group, budget("a", 328.03), metering([quota("a", 26.27)])]), [
            "team a: its token quota (1000 tokens/min) permits up to $26.28/month of model-API spend, above its model budget of $26.27: lower the quota or raise the budget",
        ]);
        assert.deepEqual(await stackViolations(modelSpendWithinBudget, [lt, group, budget("a", 328.03), metering([quota("a", 30)])]), []);
        assert.deepEqual(await stackViolations(modelSpendWithinBudget, [lt, group, budget("a", 328.02), metering([quota("a", 30)])]), [
            "team a: infrastructure at max scale plus model APIs at the token quota reach $328.03/month, above its budget of $328.02 (budget-a)",
        ]);
    });

    it("is advisory, and leaves the mandatory cost-within-budget to the infrastructure", async () => {
        assert.equal(modelSpendWithinBudget.enforcementLevel, "advisory");
        assert.deepEqual(await stackViolations(costWithinBudget, [lt, group, budget("a", 302), metering([quota("a", 10, 1_000_000)])]), []);
    });

    it("puts the quota's month in the estimate's max only", () => {
        const est = estimateCost([{ urn: "u", type: "aws:lambda/function:Function", props: metering([quota("a", 30), { ...quota("b", 1), models: [{ provider: "openai", model: "gpt-9" }] }]).props }], { region: "us-east-1" });
        assert.deepEqual(est.lines.map((l) => [l.team, l.kind, l.monthly]), [
            ["a", "model-api", { min: 0, expected: 0, max: 26.28 }],
            ["b", "model-api", { min: 0, expected: 0, max: 0 }],
        ]);
        assert.deepEqual(est.warnings, ["team b: openai/gpt-9 not in the model price table: the model-spend max ($0.00) leaves them out"]);
    });
});
