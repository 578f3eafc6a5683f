import { strict as assert } from "assert";
import { costWithinBudget } from "../../policies/budgetPolicies";
import { nodeGroup, stackResource, stackViolations } from "./helpers";

const budget = (team: string, limit: number) => stackResource("aws:budgets/budget:Budget", `budget-${team}`, {
    name: `ai-dev-${team}`, limitAmount: limit.toFixed(2), costFilters: [{ name: "TagKeyValue", values: [`user:team$${team}`] }],
});
const group = (team: string, instanceTypes: string[]) =>
    stackResource("aws:eks/nodeGroup:NodeGroup", `${team}1`, nodeGroup(team, { nodeGroupName: `${team}1`, instanceTypes, scalingConfig: { minSize: 0, maxSize: 1, desiredSize: 0 } }));

describe("cost-within-budget on unpriced lines", () => {
    it("reports a team it cannot judge (unpriced region) as a violation, never a pass", async () => {
        const inEuCentral = { ...group("a", ["g6.xlarge"]), provider: { type: "pulumi:providers:aws", urn: "urn:p", name: "default", props: { region: "eu-central-1" } } };
        assert.deepEqual(await stackViolations(costWithinBudget, [inEuCentral, budget("a", 1000)], {}), [
            "team a: cannot judge its budget of $1,000.00 (budget-a): 1 cost line(s) not priced (no prices for region eu-central-1); the priced lines alone come to $0.00/month at max scale",
        ]);
    });

    it("reports an instance type the catalog cannot price", async () => {
        const found = await stackViolations(costWithinBudget, [group("a", ["x9.mega"]), budget("a", 1000)], {});
        assert.deepEqual(found, ["team a: cannot judge its budget of $1,000.00 (budget-a): 1 cost line(s) not priced (instance type x9.mega is not in the catalog); the priced lines alone come to $0.00/month at max scale"]);
    });

    it("still passes a fully priced team within its budget", async () => {
        assert.deepEqual(await stackViolations(costWithinBudget, [group("a", ["g6.xlarge"]), budget("a", 1000)], {}), []);
    });
});
