import { strict as assert } from "assert";
import { budgetTeam, costWithinBudget, stackRegion, teamBudget } from "../../policies/budgetPolicies";
import { nodeGroup, stackResource, stackViolations } from "./helpers";

const NG = "aws:eks/nodeGroup:NodeGroup";
type Note = Record<string, unknown>;
const actual = (threshold: number, over: Note = {}): Note => ({ notificationType: "ACTUAL", threshold, thresholdType: "PERCENTAGE", comparisonOperator: "GREATER_THAN", ...over });
const budget = (team: string, notifications: Note[], over: Record<string, unknown> = {}) => stackResource("aws:budgets/budget:Budget", `budget-${team}`, {
    name: `ai-dev-${team}`, limitAmount: "1000.00", costFilters: [{ name: "TagKeyValue", values: [`user:team$${team}`] }], notifications, ...over,
});
const group = (team: string) => stackResource(NG, `${team}1`, nodeGroup(team, { nodeGroupName: `${team}1`, instanceTypes: ["g5.xlarge"], scalingConfig: { minSize: 0, maxSize: 1, desiredSize: 0 } }));
const levels = (ls: string, max: number) => `team a: budget budget-a notifies on ACTUAL at ${ls} %; needs a warning at or below ${max} % and a critical above it`;

describe("budget policies: boundaries and filters", () => {
    describe("team-budget", () => {
        const judge = (notes: Note[], cfg: object = {}) => stackViolations(teamBudget, [group("a"), budget("a", notes)], cfg);

        it("the warning must fire at or below maxWarningPercent (80 by default): 79 / 80 pass, 81 fails", async () => {
            assert.deepEqual(await judge([actual(79), actual(100)]), []);
            assert.deepEqual(await judge([actual(80), actual(100)]), []);
            assert.deepEqual(await judge([actual(81), actual(100)]), [levels("81, 100", 80)]);
            assert.deepEqual(await judge([actual(90), actual(100)], { maxWarningPercent: 80 }), [levels("90, 100", 80)]);
        });

        it("reads maxWarningPercent from the config", async () => {
            assert.deepEqual(await judge([actual(80), actual(100)], { maxWarningPercent: 50 }), [levels("80, 100", 50)]);
            assert.deepEqual(await judge([actual(90), actual(100)], { maxWarningPercent: 90 }), []);
        });

        it("needs a critical level strictly above the warning", async () => {
            assert.deepEqual(await judge([actual(50)]), [levels("50", 80)]);
            assert.deepEqual(await judge([actual(50), actual(50)]), [levels("50", 80)], "the same level twice is one level");
            assert.deepEqual(await judge([actual(50), actual(51)]), []);
            assert.deepEqual(await judge([]), [levels("no", 80)]);
        });

        it("counts only ACTUAL notifications on percentage thresholds", async () => {
            assert.deepEqual(await judge([actual(80, { notificationType: "FORECASTED" }), actual(100, { notificationType: "FORECASTED" })]), [levels("no", 80)]);
            assert.deepEqual(await judge([actual(80, { thresholdType: "ABSOLUTE_VALUE" }), actual(100)]), [levels("100", 80)]);
            assert.deepEqual(await judge([actual(80, { thresholdType: undefined }), actual(100, { thresholdType: undefined })]), [], "PERCENTAGE is the default threshold type");
            assert.deepEqual(await judge([actual(80), { notificationType: "ACTUAL", threshold: "100" }]), [levels("80", 80)]);
            assert.deepEqual(await stackViolations(teamBudget, [group("a"), budget("a", [], { notifications: "x" })]), [levels("no", 80)]);
        });

        it("exempts the platform team, and wants a budget on the team's own tag", async () => {
            assert.deepEqual(await stackViolations(teamBudget, [group("platform")]), []);
            assert.deepEqual(await stackViolations(teamBudget, [group("a"), budget("b", [actual(50), actual(100)])]), ["team a owns GPU capacity (a1) but has no budget filtered on user:team$a"]);
        });
    });

    describe("which budget belongs to which team", () => {
        it("reads `user:team$<team>` from TagKeyValue cost filters, anchored", () => {
            const of = (costFilters: unknown) => budgetTeam({ costFilters });
            assert.equal(of([{ name: "TagKeyValue", values: ["user:cost-center$x", "user:team$ml"] }]), "ml");
            assert.equal(of([{ name: "Service", values: ["user:team$ml"] }]), undefined);
            assert.equal(of([{ name: "TagKeyValue", values: ["xuser:team$ml"] }]), undefined);
            assert.equal(of([{ name: "TagKeyValue", values: ["user:team$"] }]), undefined);
            assert.equal(of(undefined), undefined);
        });

        it("reads the team from a filter expression on the team tag", () => {
            assert.equal(budgetTeam({ filterExpression: { tags: { key: "team", values: ["ml", "x"] } } }), "ml");
            assert.equal(budgetTeam({ filterExpression: { tags: { key: "owner", values: ["ml"] } } }), undefined);
            assert.equal(budgetTeam({ filterExpression: { tags: { key: "team", values: [] } } }), undefined);
        });

        it("only Budget resources count as budgets", async () => {
            const fake = stackResource("aws:ce/anomalyMonitor:AnomalyMonitor", "m", { costFilters: [{ name: "TagKeyValue", values: ["user:team$a"] }], notifications: [actual(50), actual(100)] });
            assert.deepEqual(await stackViolations(teamBudget, [group("a"), fake]), ["team a owns GPU capacity (a1) but has no budget filtered on user:team$a"]);
        });
    });

    describe("cost-within-budget", () => {
        // g5.xlarge spot, us-east-1, no launch template: priced by the estimator; the limit is varied around it.
        const priced = async () => {
            const found = await stackViolations(costWithinBudget, [group("a"), budget("a", [], { limitAmount: "0.01" })]);
            const m = /estimated \$([\d,.]+)\/month/.exec(found[0]);
            assert.ok(m, found.join("\n"));
            return Number(m[1].replace(/,/g, ""));
        };

        it("a budget a cent above the estimate fits; a cent below it fails", async () => {
            const cost = await priced();
            assert.ok(cost > 0);
            const at = (limit: number) => stackViolations(costWithinBudget, [group("a"), budget("a", [], { limitAmount: limit.toFixed(2) })]);
            assert.deepEqual(await at(cost + 0.01), []);
            assert.equal((await at(cost - 0.01)).length, 1);
        });

        it("skips budgets whose limit is not a number and teams with no cost", async () => {
            assert.deepEqual(await stackViolations(costWithinBudget, [group("a"), budget("a", [], { limitAmount: "lots" })]), []);
            assert.deepEqual(await stackViolations(costWithinBudget, [budget("b", [], { limitAmount: "0.01" })]), []);
        });

        it("prices in the region most of the stack's providers name", () => {
            const at = (region?: string) => ({ provider: region ? { props: { region } } : undefined });
            assert.equal(stackRegion([at("eu-west-1"), at("us-east-1"), at("eu-west-1"), at()]), "eu-west-1");
            assert.equal(stackRegion([at(), at()]), undefined);
        });
    });
});
