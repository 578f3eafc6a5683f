import { strict as assert } from "assert";
import { chargebackTeams } from "../../policies/chargebackTeams";
import { at, stringMap } from "../../policies/common";
import { eksVersionSupport } from "../../policies/eksVersion";
import { resourceArgs, stackResource, stackViolations, violations } from "./helpers";

const budget = (team: string, type = "aws:budgets/budget:Budget") => stackResource(type, `budget-${team}`, { costFilters: [{ name: "TagKeyValue", values: [`user:team$${team}`] }] });
const tagged = (team: string, name = "v") => stackResource("aws:ec2/vpc:Vpc", name, { tags: { team } });

describe("chargeback-teams and eks-version-support: boundaries", () => {
    it("chargeback-teams: budgeted teams, the platform and listed teams pass; others are named once with up to three resources", async () => {
        assert.deepEqual(await stackViolations(chargebackTeams, [tagged("x")], {}), [], "no knownTeams: any team");
        assert.deepEqual(await stackViolations(chargebackTeams, [budget("a"), tagged("a"), tagged("platform"), tagged("k")], { knownTeams: ["k", 5] }), []);
        const found = await stackViolations(chargebackTeams, [budget("a"), tagged("x", "v1"), tagged("x", "v2"), tagged("x", "v3"), tagged("x", "v4"), tagged("y", "w")], { knownTeams: ["k"] });
        assert.equal(found.length, 2);
        assert.ok(found[0].startsWith('team "x" (on aws:ec2/vpc:Vpc "v1", aws:ec2/vpc:Vpc "v2", aws:ec2/vpc:Vpc "v3" and 1 more) is not a team of this stack: no aws:budgets/budget:Budget is filtered on user:team$x. '), found[0]);
        assert.ok(found[0].endsWith("; known: a, k, platform"), found[0]);
        assert.ok(found[1].startsWith('team "y" (on aws:ec2/vpc:Vpc "w") is not'), found[1]);
        const three = await stackViolations(chargebackTeams, [tagged("x", "v1"), tagged("x", "v2"), tagged("x", "v3")], { knownTeams: [] });
        assert.ok(three[0].startsWith('team "x" (on aws:ec2/vpc:Vpc "v1", aws:ec2/vpc:Vpc "v2", aws:ec2/vpc:Vpc "v3") is not'), three[0]);
        assert.equal((await stackViolations(chargebackTeams, [budget("x", "aws:ce/anomalySubscription:AnomalySubscription"), tagged("x")], { knownTeams: [] })).length, 1, "only Budgets declare a team");
        assert.deepEqual(await stackViolations(chargebackTeams, [stackResource("aws:budgets/budget:Budget", "b", { costFilters: [] }), stackResource("aws:ec2/vpc:Vpc", "untagged", {})], { knownTeams: [] }), []);
    });

    describe("eks-version-support", () => {
        const judge = (version: unknown, cfg: Record<string, unknown>) => violations(eksVersionSupport, resourceArgs("aws:eks/cluster:Cluster", { version }, cfg, "c"));
        // 1.34 leaves standard support on 2026-12-02: 30 days after 2026-11-02.
        it("warns at warningDays and not a day before; a bad warningDays falls back to 90", async () => {
            assert.equal((await judge("1.34", { asOf: "2026-11-02", warningDays: 30 })).length, 1);
            assert.deepEqual(await judge("1.34", { asOf: "2026-11-02", warningDays: 29 }), []);
            assert.match((await judge("1.34", { asOf: "2026-11-02", warningDays: 30 }))[0], /leaves standard support on 2026-12-02, 30 days after 2026-11-02 \(warning at 30\): upgrade to 1\.35$/);
            for (const bad of [-1, 1.5, "30"]) assert.match((await judge("1.34", { asOf: "2026-11-02", warningDays: bad }))[0] ?? "", /\(warning at 90\)/, String(bad));
            assert.match((await judge("1.34", { asOf: "2026-11-02", warningDays: 0 }))[0] ?? "none", /^none$/);
        });

        it("names unreleased minors, non-string versions and a bad asOf", async () => {
            assert.deepEqual(await judge("1.35", { asOf: "2026-01-01" }), ['aws:eks/cluster:Cluster "c" Kubernetes 1.35 is not released on EKS until 2026-01-28']);
            assert.match((await judge(1.34, { asOf: "2026-11-02" }))[0], /^aws:eks\/cluster:Cluster "c" version 1\.34 is not in the EKS version table/);
            assert.deepEqual(await judge("1.34", { asOf: "2026-13-45" }), ['eks-version-support: asOf "2026-13-45" is not a YYYY-MM-DD date']);
        });
    });

    it("common helpers: string maps keep strings only; `at` walks objects only", () => {
        assert.deepEqual(stringMap({ a: "x", b: 1, c: null }), { a: "x" });
        assert.equal(stringMap(["a"]), undefined);
        assert.equal(at({ a: { b: 1 } }, "a", "b"), 1);
        assert.equal(at({ a: 1 }, "a", "b"), undefined);
        assert.equal(at(null, "a"), undefined);
        assert.deepEqual(at({ a: 1 }), { a: 1 });
    });
});
