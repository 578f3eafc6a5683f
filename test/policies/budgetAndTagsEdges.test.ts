import { strict as assert } from "assert";
import { stackRegion, teamBudget } from "../../policies/budgetPolicies";
import { chargebackTags } from "../../policies/chargebackTags";
import { nodeGroup, resourceArgs, stackResource, stackViolations, violations } from "./helpers";

const proxy = require("@pulumi/policy/proxy") as { unknownStringValue: string; unknownObjectValue: string };
const NG = "aws:eks/nodeGroup:NodeGroup";

describe("budget and chargeback policies: ordering, majority and unknown values", () => {
    it("team-budget lists a budget's levels in ascending order, each once", async () => {
        const notes = [100, 95, 100].map((threshold) => ({ notificationType: "ACTUAL", threshold, thresholdType: "PERCENTAGE" }));
        const found = await stackViolations(teamBudget, [
            stackResource(NG, "g", nodeGroup("a", { instanceTypes: ["g5.xlarge"] })),
            stackResource("aws:budgets/budget:Budget", "b", { costFilters: [{ name: "TagKeyValue", values: ["user:team$a"] }], notifications: notes }),
        ]);
        assert.deepEqual(found, ["team a: budget b notifies on ACTUAL at 95, 100 %; needs a warning at or below 80 % and a critical above it"]);
    });

    it("the stack's region is the one most providers name, whatever the order", () => {
        const at = (region: string) => ({ provider: { props: { region } } });
        assert.equal(stackRegion([at("us-east-1"), at("eu-west-1"), at("eu-west-1")]), "eu-west-1");
        assert.equal(stackRegion([at("eu-west-1"), at("us-east-1"), at("us-east-1"), at("eu-west-1"), at("us-east-1")]), "us-east-1");
    });

    it("chargeback-tags defers unknown tag maps, namespaces and labels; a non-string environment config compares nothing", async () => {
        const judge = (type: string, props: Record<string, unknown>, cfg: object) => violations(chargebackTags, resourceArgs(type, props, cfg, "r"));
        assert.deepEqual(await judge("aws:ec2/vpc:Vpc", { tags: proxy.unknownObjectValue }, { environment: "dev" }), []);
        const full = { team: "a", "cost-center": "c", owner: "o", "managed-by": "pulumi" };
        assert.deepEqual(await judge("aws:ec2/vpc:Vpc", { tags: { ...full, environment: "prod" } }, { environment: 5 }), []);
        const pod = (metadata: Record<string, unknown>) => judge("kubernetes:core/v1:Pod", { metadata }, { environment: "dev", workloadNamespaces: ["*"] });
        assert.deepEqual(await pod({ namespace: proxy.unknownStringValue, labels: {} }), []);
        assert.deepEqual(await pod({ namespace: "x", labels: proxy.unknownObjectValue }), []);
        assert.deepEqual(await pod({ namespace: "x", labels: { "ai-infra/team": proxy.unknownStringValue } }), []);
        assert.equal((await pod({ namespace: "x", labels: {} })).length, 1);
        const deployment = (labels: unknown, podLabels: unknown) => judge("kubernetes:apps/v1:Deployment", { metadata: { namespace: "x", labels }, spec: { template: { metadata: { labels: podLabels } } } }, { environment: "dev", workloadNamespaces: ["x"] });
        assert.deepEqual((await deployment({ "ai-infra/team": "a" }, {})).map((m) => m.includes("spec.template.metadata.labels")), [true]);
        assert.deepEqual(await deployment({ "ai-infra/team": "a" }, proxy.unknownObjectValue), []);
        assert.deepEqual(await judge("kubernetes:core/v1:Pod", { metadata: { labels: {} } }, { environment: "dev" }), [], "no namespaces configured: no workload judged");
    });
});
