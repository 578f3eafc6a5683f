import { strict as assert } from "assert";
import { ResourceValidationArgs } from "@pulumi/policy";
import { resourceArgs as baseArgs, violations } from "./helpers";
import { chargebackTags } from "../../policies/chargebackTags";
import { AWS_TAGGABLE_TYPES, installedAwsPackage, scanTaggableTypes } from "../../lib/taggable";
import taggable from "../../lib/data/aws-taggable-types.json";

const GOOD = { team: "ml-research", "cost-center": "CC-1", environment: "dev", owner: "ml@example.com", "managed-by": "pulumi" };

function resourceArgs(type: string, props: Record<string, unknown>, config: object = { environment: "dev" }, provider?: ResourceValidationArgs["provider"]): ResourceValidationArgs {
    return { ...baseArgs(type, props, config), provider };
}

describe("chargeback-tags", () => {
    it("passes a fully tagged resource of the right environment", async () => {
        assert.deepEqual(await violations(chargebackTags, resourceArgs("aws:eks/nodeGroup:NodeGroup", { tags: GOOD })), []);
    });

    it("fails on each missing or empty tag, naming resource, key and the required set", async () => {
        const { owner: _owner, ...noOwner } = GOOD;
        const found = await violations(chargebackTags, resourceArgs("aws:ec2/vpc:Vpc", { tags: { ...noOwner, team: " " } }));
        assert.deepEqual(found, [
            'aws:ec2/vpc:Vpc "r" tag "team" is empty (required non-empty: team, cost-center, environment, owner, managed-by)',
            'aws:ec2/vpc:Vpc "r" tag "owner" is missing (required: team, cost-center, environment, owner, managed-by)',
        ]);
    });

    it("fails a taggable resource with no tags at all, derived from the provider's schema", async () => {
        assert.deepEqual(await violations(chargebackTags, resourceArgs("aws:s3/bucket:Bucket", {})), ['aws:s3/bucket:Bucket "r" has no tags; required: team, cost-center, environment, owner, managed-by']);
        assert.deepEqual(await violations(chargebackTags, resourceArgs("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {})), []);
    });

    it("fails a wrong environment, naming the config key that sets it", async () => {
        const found = await violations(chargebackTags, resourceArgs("aws:ec2/vpc:Vpc", { tags: { ...GOOD, environment: "prod", team: "ghosts" } }, { environment: "dev" }));
        assert.deepEqual(found, [
            'aws:ec2/vpc:Vpc "r" tag "environment" is "prod", expected "dev" (chargeback-tags.environment in the policy pack config)',
        ]);
    });

    it("counts the provider's default tags", async () => {
        const provider = { type: "pulumi:providers:aws", urn: "urn:p", name: "p", props: { defaultTags: { tags: GOOD } } };
        assert.deepEqual(await violations(chargebackTags, resourceArgs("aws:ec2/vpc:Vpc", {}, { environment: "dev" }, provider)), []);
        const encoded = { ...provider, props: { defaultTags: JSON.stringify({ tags: GOOD }) } };
        assert.deepEqual(await violations(chargebackTags, resourceArgs("aws:ec2/vpc:Vpc", {}, { environment: "dev" }, encoded)), [], "as the engine passes provider inputs");
    });

    it("requires the team label on Kubernetes workloads and their pod templates", async () => {
        const labelled = { "ai-infra/team": "search" };
        const cfg = { environment: "dev", workloadNamespaces: ["ai-*", "default"] };
        const good = { metadata: { namespace: "ai-serving", labels: labelled }, spec: { template: { metadata: { labels: labelled } } } };
        assert.deepEqual(await violations(chargebackTags, resourceArgs("kubernetes:apps/v1:Deployment", good, cfg)), []);
        const bad = await violations(chargebackTags, resourceArgs("kubernetes:apps/v1:Deployment", { metadata: { namespace: "ai-serving", labels: labelled }, spec: { template: {} } }, cfg));
        assert.deepEqual(bad, ['kubernetes:apps/v1:Deployment "r" spec.template.metadata.labels has no "ai-infra/team" label: every workload names the team it is charged to (chargeback-tags.teamLabel, chargeback-tags.workloadNamespaces)']);
        // No namespace means "default", which this config judges.
        const cron = await violations(chargebackTags, resourceArgs("kubernetes:batch/v1:CronJob", { metadata: { labels: labelled } }, cfg));
        assert.match(cron[0], /spec\.jobTemplate\.spec\.template\.metadata\.labels has no "ai-infra\/team" label/);
    });

    it("does not judge workloads outside the configured namespaces (regression: every Pod of another program failed)", async () => {
        const pod = { metadata: { name: "nginx", namespace: "web" }, spec: { containers: [{ name: "nginx", image: "nginx" }] } };
        assert.deepEqual(await violations(chargebackTags, resourceArgs("kubernetes:core/v1:Pod", pod)), [], "default: no namespace is judged");
        assert.deepEqual(await violations(chargebackTags, resourceArgs("kubernetes:core/v1:Pod", pod, { environment: "dev", workloadNamespaces: ["ai-*"] })), []);
        assert.equal((await violations(chargebackTags, resourceArgs("kubernetes:core/v1:Pod", pod, { environment: "dev", workloadNamespaces: ["web"] }))).length, 1);
    });

    it("reads the team from the configured label key", async () => {
        const cfg = { environment: "dev", workloadNamespaces: ["*"], teamLabel: "example.com/team" };
        const pod = (labels: Record<string, string>) => ({ metadata: { namespace: "x", labels } });
        assert.deepEqual(await violations(chargebackTags, resourceArgs("kubernetes:core/v1:Pod", pod({ "example.com/team": "search" }), cfg)), []);
        assert.deepEqual(await violations(chargebackTags, resourceArgs("kubernetes:core/v1:Pod", pod({ "ai-infra/team": "search" }), cfg)),
            ['kubernetes:core/v1:Pod "r" metadata.labels has no "example.com/team" label: every workload names the team it is charged to (chargeback-tags.teamLabel, chargeback-tags.workloadNamespaces)']);
    });

    it("remediates the environment and managed-by tags only", async () => {
        const fixed = await chargebackTags.remediateResource!(resourceArgs("aws:ec2/vpc:Vpc", { cidrBlock: "10.0.0.0/16", tags: { team: "a" } })) as Record<string, unknown>;
        assert.deepEqual(fixed, { cidrBlock: "10.0.0.0/16", tags: { team: "a", environment: "dev", "managed-by": "pulumi" } });
        assert.equal(await chargebackTags.remediateResource!(resourceArgs("aws:ec2/vpc:Vpc", { tags: GOOD })), undefined);
    });

    it("never throws on malformed props", async () => {
        for (const props of [{ tags: null }, { tags: "team=x" }, { tags: 42 }, { tags: [] }, { tags: { team: 5 } }, { metadata: null }, { spec: { template: "x" } }]) {
            for (const type of ["aws:ec2/vpc:Vpc", "kubernetes:apps/v1:Deployment", "kubernetes:core/v1:Pod"]) {
                await violations(chargebackTags, resourceArgs(type, props as Record<string, unknown>));
                await chargebackTags.remediateResource!(resourceArgs(type, props as Record<string, unknown>));
            }
        }
        await violations(chargebackTags, resourceArgs("aws:ec2/vpc:Vpc", { tags: GOOD }, {}));
    });

    it("knows the taggable types of the installed @pulumi/aws (regenerate with npm run gen:taggable)", () => {
        const { dir, version } = installedAwsPackage();
        assert.equal(taggable.version, version, "aws-taggable-types.json was generated from another @pulumi/aws version");
        assert.deepEqual([...AWS_TAGGABLE_TYPES], scanTaggableTypes(dir));
        assert.ok(AWS_TAGGABLE_TYPES.has("aws:eks/nodeGroup:NodeGroup"));
        assert.ok(!AWS_TAGGABLE_TYPES.has("aws:autoscaling/tag:Tag"));
    });
});
