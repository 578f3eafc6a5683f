import { strict as assert } from "assert";
import { chargebackTags, tagProblems } from "../../policies/chargebackTags";
import { resourceArgs, violations } from "./helpers";

const REQUIRED = ["team", "cost-center", "environment", "owner", "managed-by"];
const full = { team: "a", "cost-center": "c", environment: "dev", owner: "o@x.io", "managed-by": "pulumi" };
const cfg = { environment: "dev" };

describe("chargeback-tags: boundaries and filters", () => {
    it("treats whitespace-only tag values as empty, and does not compare a blank environment", () => {
        assert.deepEqual(tagProblems({ ...full, team: "  " }, { requiredTags: REQUIRED, environment: "dev" }),
            ['tag "team" is empty (required non-empty: team, cost-center, environment, owner, managed-by)']);
        assert.deepEqual(tagProblems({ ...full, environment: " " }, { requiredTags: REQUIRED, environment: "dev" }),
            ['tag "environment" is empty (required non-empty: team, cost-center, environment, owner, managed-by)']);
        assert.deepEqual(tagProblems({ ...full, environment: "prod" }, { requiredTags: REQUIRED, environment: "" }), [], "no configured environment: any value");
        assert.deepEqual(tagProblems({ team: "a" }, { requiredTags: ["team"], environment: "dev" }), [], "environment not required and absent");
    });

    it("judges AWS resources that are taggable or carry tags, and nothing else", async () => {
        const judge = (type: string, props: Record<string, unknown>) => violations(chargebackTags, resourceArgs(type, props, cfg, "r"));
        assert.equal((await judge("aws:ec2/vpc:Vpc", {})).length, 1, "taggable without tags");
        assert.equal((await judge("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {})).length, 0, "not taggable");
        assert.equal((await judge("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { tags: { team: "a" } })).length, 4, "carries tags: judged");
        assert.equal((await judge("random:index/randomPassword:RandomPassword", { tags: {} })).length, 0, "not AWS");
        assert.deepEqual(await judge("aws:ec2/vpc:Vpc", { tags: full }), []);
    });

    it("uses the configured required tags", async () => {
        const found = await violations(chargebackTags, resourceArgs("aws:ec2/vpc:Vpc", { tags: { team: "a" } }, { environment: "dev", requiredTags: ["team", "project"] }, "r"));
        assert.deepEqual(found, ['aws:ec2/vpc:Vpc "r" tag "project" is missing (required: team, project)']);
    });

    it("a Pod is judged on its own labels only; the default namespace counts as `default`; a blank team label is missing", async () => {
        const pod = (labels: Record<string, string>, namespace?: string) => ({ metadata: { labels, ...(namespace === undefined ? {} : { namespace }) } });
        const judge = (props: object, c: object) => violations(chargebackTags, resourceArgs("kubernetes:core/v1:Pod", props as Record<string, unknown>, c, "p"));
        const ns = { environment: "dev", workloadNamespaces: ["default"] };
        const noLabel = ['kubernetes:core/v1:Pod "p" metadata.labels has no "ai-infra/team" label: every workload names the team it is charged to (chargeback-tags.teamLabel, chargeback-tags.workloadNamespaces)'];
        assert.deepEqual(await judge(pod({}), ns), noLabel);
        assert.deepEqual(await judge(pod({}, ""), ns), noLabel);
        assert.deepEqual(await judge(pod({ "ai-infra/team": " " }), ns), noLabel);
        assert.deepEqual(await judge(pod({ "ai-infra/team": "a" }), ns), []);
        assert.deepEqual(await judge(pod({}, "other"), ns), []);
        assert.deepEqual(await judge(pod({ "ai-infra/team": "a" }), { ...ns, teamLabel: "" }), [], "an empty teamLabel falls back to the default");
    });

    it("remediation fills environment only when configured, and leaves non-AWS and untaggable resources alone", async () => {
        const fix = (type: string, props: Record<string, unknown>, c: object) => chargebackTags.remediateResource!(resourceArgs(type, props, c, "r"));
        assert.deepEqual(await fix("aws:ec2/vpc:Vpc", { tags: { team: "a" } }, { environment: "" }), { tags: { team: "a", "managed-by": "pulumi" } });
        assert.deepEqual(await fix("aws:ec2/vpc:Vpc", { tags: { environment: "dev", "managed-by": "x" } }, cfg), undefined);
        assert.equal(await fix("kubernetes:core/v1:Pod", { tags: {} }, cfg), undefined);
        assert.equal(await fix("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {}, cfg), undefined);
        assert.deepEqual(await fix("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { tags: {} }, cfg), { tags: { environment: "dev", "managed-by": "pulumi" } });
    });
});
