import { strict as assert } from "assert";
import { PolicyProviderResource, PolicyResource } from "@pulumi/policy";
import { costWithinBudget, teamBudget } from "../../policies/budgetPolicies";
import { chargebackTags } from "../../policies/chargebackTags";
import { chargebackTeams } from "../../policies/chargebackTeams";
import { gpuQuota } from "../../policies/gpuQuota";
import { gpuInstanceAllowlist } from "../../policies/nodeGroups";
import { resourceArgs, stackResource, stackViolations, violations } from "./helpers";

/**
 * Verdicts that must hold on any Pulumi program, not only on this project's components: each case is a
 * false positive or a miss found by running the pack on programs nobody here wrote (issue 13).
 */

const NG = "aws:eks/nodeGroup:NodeGroup";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const EC2 = "aws:ec2/instance:Instance";
const ASG = "aws:autoscaling/group:Group";
const TAGS = (team: string) => ({ team, "cost-center": "CC-1", environment: "dev", owner: "o@x.io", "managed-by": "pulumi" });
const provider = (props: Record<string, unknown>): PolicyProviderResource => ({ type: "pulumi:providers:aws", urn: "urn:pulumi:dev::other::pulumi:providers:aws::p", name: "p", props });
const withProvider = (r: PolicyResource, p: PolicyProviderResource): PolicyResource => ({ ...r, provider: p });
const budget = (team: string, limit: number) => stackResource("aws:budgets/budget:Budget", `budget-${team}`, {
    limitAmount: String(limit), costFilters: [{ name: "TagKeyValue", values: [`user:team$${team}`] }],
    notifications: [70, 90].map((threshold) => ({ notificationType: "ACTUAL", threshold, thresholdType: "PERCENTAGE" })),
});

describe("verdicts on any program", () => {
    describe("gpu-instance-allowlist judges GPU types only", () => {
        const cfg = { allowedInstanceTypes: ["g6.xlarge"] };
        it("passes m6i.large on a node group and t4g.small on a launch template (regression: 'not in the catalog')", async () => {
            assert.deepEqual(await violations(gpuInstanceAllowlist, resourceArgs(NG, { instanceTypes: ["m6i.large", "c7i.2xlarge"] }, cfg)), []);
            assert.deepEqual(await violations(gpuInstanceAllowlist, resourceArgs(LT, { instanceType: "t4g.small" }, cfg)), []);
            assert.deepEqual(await violations(gpuInstanceAllowlist, resourceArgs(EC2, { instanceType: "r7g.large" }, cfg)), []);
        });
        it("fails a GPU EC2 instance and an ASG's mixed-instances GPU override", async () => {
            assert.equal((await violations(gpuInstanceAllowlist, resourceArgs(EC2, { instanceType: "p4d.24xlarge" }, cfg, "trainer")))[0],
                'aws:ec2/instance:Instance "trainer" GPU instance type p4d.24xlarge is not allowed here; allowed: g6.xlarge (gpu-instance-allowlist.allowedInstanceTypes in the policy pack config)');
            const asg = { mixedInstancesPolicy: { launchTemplate: { overrides: [{ instanceType: "m6i.large" }, { instanceType: "g5.12xlarge" }, { instanceType: "inf2.xlarge" }] } } };
            assert.deepEqual((await violations(gpuInstanceAllowlist, resourceArgs(ASG, asg, cfg))).map((m) => m.split(" GPU instance type ")[1].split(" ")[0]), ["g5.12xlarge", "inf2.xlarge"]);
        });
    });

    describe("one tag resolver: the provider's default tags count everywhere", () => {
        const providerTagged = provider({ region: "us-east-1", defaultTags: JSON.stringify({ tags: TAGS("vision") }) });
        const group = withProvider(stackResource(NG, "vision-gpu", { nodeGroupName: "vision-gpu", instanceTypes: ["g6.xlarge"], capacityType: "SPOT", scalingConfig: { minSize: 0, maxSize: 3, desiredSize: 0 } }), providerTagged);
        it("gpu-quota charges a team tagged at the provider (regression: '(untagged)' on the default quota)", async () => {
            assert.deepEqual(await stackViolations(gpuQuota, [group], { maxGpusPerTeam: { vision: 3 }, defaultMaxGpusPerTeam: 0 }), []);
            const over = await stackViolations(gpuQuota, [group], { maxGpusPerTeam: { vision: 2 }, defaultMaxGpusPerTeam: 0 });
            assert.match(over[0], /^team vision: 3 GPUs at max scale .* quota is gpu-quota\.maxGpusPerTeam\["vision"\]/);
        });
        it("team-budget finds the provider-tagged team's capacity", async () => {
            assert.deepEqual(await stackViolations(teamBudget, [group], {}), ["team vision owns GPU capacity (vision-gpu) but has no budget filtered on user:team$vision"]);
            assert.deepEqual(await stackViolations(teamBudget, [group, budget("vision", 1000)], {}), []);
        });
        it("chargeback-tags and chargeback-teams accept it", async () => {
            const args = { ...resourceArgs("aws:ec2/vpc:Vpc", {}, { environment: "dev" }), provider: providerTagged };
            assert.deepEqual(await violations(chargebackTags, args), []);
            assert.deepEqual(await stackViolations(chargebackTeams, [group, budget("vision", 1000)], { knownTeams: [] }), []);
        });
    });

    describe("Auto Scaling groups", () => {
        it("read list-form tags, and take no provider default tags (the AWS provider applies none to them)", async () => {
            const p = provider({ defaultTags: { tags: TAGS("vision") } });
            const listed = { ...resourceArgs(ASG, { tags: Object.entries(TAGS("web")).map(([key, value]) => ({ key, value, propagateAtLaunch: true })) }, { environment: "dev" }), provider: p };
            assert.deepEqual(await violations(chargebackTags, listed), []);
            const bare = { ...resourceArgs(ASG, {}, { environment: "dev" }), provider: p };
            assert.match((await violations(chargebackTags, bare))[0], /has no tags/);
        });
    });

    describe("region from the resource's provider, never from policy config", () => {
        // g5.xlarge spot: $1.006 x 0.4 x 730 + 20 GiB x $0.08 = $295.35 a node in us-east-1; eu-west-1 is 1.116x.
        const group = (region: string) => withProvider(stackResource(NG, "g", { nodeGroupName: "g", instanceTypes: ["g5.xlarge"], capacityType: "SPOT", tags: TAGS("a"), scalingConfig: { minSize: 0, maxSize: 3, desiredSize: 0 } }), provider({ region }));
        it("prices an eu-west-1 stack at eu-west-1 prices (regression: judged at us-east-1 and passed over budget)", async () => {
            assert.deepEqual(await stackViolations(costWithinBudget, [group("us-east-1"), budget("a", 900)], {}), []);
            const eu = await stackViolations(costWithinBudget, [group("eu-west-1"), budget("a", 900)], {});
            assert.equal(eu.length, 1);
            assert.match(eu[0], /team a: estimated \$988\.84\/month at max scale \(eu-west-1 prices\) exceeds its budget of \$900\.00/);
        });
    });

    describe("GPU capacity that does not come through GpuNodeGroup", () => {
        const tagged = (type: string, name: string, props: Record<string, unknown>, deps: PolicyResource[] = []) => stackResource(type, name, { tags: TAGS("ml"), ...props }, deps);
        it("counts a plain p4d.24xlarge EC2 instance against the quota (regression: passed every rule)", async () => {
            const found = await stackViolations(gpuQuota, [tagged(EC2, "trainer", { instanceType: "p4d.24xlarge" })], { defaultMaxGpusPerTeam: 4 });
            assert.match(found[0], /^team ml: 8 GPUs at max scale \(EC2 instance trainer \(p4d\.24xlarge\): 1 x 8 GPU\) exceeds its quota of 4 GPUs/);
        });
        it("counts a node group whose GPU type comes from its launch template", async () => {
            const lt = tagged(LT, "gpu-lt", { instanceType: "g6.12xlarge" });
            const ng = tagged(NG, "ng", { nodeGroupName: "ng", scalingConfig: { minSize: 0, maxSize: 2, desiredSize: 0 }, launchTemplate: { name: "gpu-lt", version: "1" } });
            const found = await stackViolations(gpuQuota, [lt, ng], { defaultMaxGpusPerTeam: 4 });
            assert.match(found[0], /^team ml: 8 GPUs at max scale \(ng \(g6\.12xlarge from launch template gpu-lt\): 2 x 4 GPU\)/);
        });
        it("counts an Auto Scaling group by its launch template or mixed-instances overrides", async () => {
            const lt = tagged(LT, "lt", { instanceType: "g5.xlarge" });
            const byTemplate = tagged(ASG, "asg1", { maxSize: 3, launchTemplate: { id: "lt-unknown-in-preview" } }, [lt]);
            const mixed = tagged(ASG, "asg2", { maxSize: 2, mixedInstancesPolicy: { launchTemplate: { launchTemplateSpecification: { launchTemplateName: "x" }, overrides: [{ instanceType: "g5.xlarge" }, { instanceType: "g5.12xlarge" }] } } });
            const found = await stackViolations(gpuQuota, [lt, byTemplate, mixed], { defaultMaxGpusPerTeam: 10 });
            assert.match(found[0], /^team ml: 11 GPUs at max scale \(asg1 \(g5\.xlarge from launch template lt\): 3 x 1 GPU, asg2 \(g5\.xlarge, g5\.12xlarge from mixed instances policy overrides\): 2 x 4 GPU\)/);
        });
        it("does not ask the catalog for a general-purpose type listed beside a GPU type", async () => {
            const mixed = tagged(NG, "mixed", { nodeGroupName: "mixed", instanceTypes: ["g5.xlarge", "m6i.large"], scalingConfig: { maxSize: 1 } });
            assert.deepEqual(await stackViolations(gpuQuota, [mixed], { defaultMaxGpusPerTeam: 1 }), []);
            const unknownGpu = tagged(NG, "new", { nodeGroupName: "new", instanceTypes: ["g5.xlarge", "g7.xlarge"], scalingConfig: { maxSize: 1 } });
            assert.match((await stackViolations(gpuQuota, [unknownGpu], { defaultMaxGpusPerTeam: 1 }))[0], /node group new lists g7\.xlarge, not in the catalog/);
        });
        it("does not count general-purpose node groups, instances or ASGs", async () => {
            const found = await stackViolations(gpuQuota, [tagged(NG, "sys", { instanceTypes: ["m6i.large"], scalingConfig: { maxSize: 50 } }), tagged(EC2, "bastion", { instanceType: "t4g.small" }), tagged(ASG, "web", { maxSize: 100, mixedInstancesPolicy: { launchTemplate: { overrides: [{ instanceType: "c7i.large" }] } } })], { defaultMaxGpusPerTeam: 0, maxGpusPerEnvironment: 0 });
            assert.deepEqual(found, []);
        });
    });

    describe("chargeback-teams: a team is declared once, by the stack's budget", () => {
        const r = (team: string, name: string) => stackResource("aws:s3/bucket:Bucket", name, { tags: TAGS(team) });
        it("accepts budgeted teams, platform and knownTeams; reports each stranger once, naming where to declare it", async () => {
            assert.deepEqual(await stackViolations(chargebackTeams, [r("vision", "b1"), r("platform", "b2"), r("infra", "b3"), budget("vision", 10)], { knownTeams: ["infra"] }), []);
            const found = await stackViolations(chargebackTeams, [r("visoin", "b1"), r("visoin", "b2"), budget("vision", 10)], { knownTeams: [] });
            assert.equal(found.length, 1);
            assert.match(found[0], /^team "visoin" \(on aws:s3\/bucket:Bucket "b1", aws:s3\/bucket:Bucket "b2"\) is not a team of this stack: no aws:budgets\/budget:Budget is filtered on user:team\$visoin\./);
            assert.match(found[0], /ai-infra:teams\.visoin in stacks\/Pulumi\.<stack>\.yaml/);
            assert.match(found[0], /chargeback-teams\.knownTeams in the policy pack config \(here policies\/config\/<environment>\.json\); known: platform, vision$/);
        });
        it("accepts any team when knownTeams is not configured", async () => {
            assert.deepEqual(await stackViolations(chargebackTeams, [r("anyone", "b1")], {}), []);
        });
    });
});
