import { strict as assert } from "assert";
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CreateTagsCommand, DescribeInstancesCommand, DescribeNatGatewaysCommand, DescribeVolumesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeClusterCommand, DescribeNodegroupCommand, EKSClient, ListNodegroupsCommand, TagResourceCommand, UpdateNodegroupConfigCommand } from "@aws-sdk/client-eks";
import { DescribeReplicationGroupsCommand, ElastiCacheClient } from "@aws-sdk/client-elasticache";
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { mockClient } from "aws-sdk-client-mock";
import { recommend, usageOf } from "../../audit/analyze";
import { main, parseAuditArgs } from "../../audit/cli";
import { AuditClients, createClients, RETRY } from "../../audit/clients";
import { percentile } from "../../audit/stats";
import { rightSizeFromUsage } from "../../policies/rightSizeFromUsage";
import { resourceArgs, violations } from "../policies/helpers";

const NOW = new Date("2026-11-20T00:00:00Z");
const hours = (n: number) => Array.from({ length: n }, (_, i) => new Date(NOW.getTime() - (n - i) * 3600_000));

function clients(): { c: AuditClients; eks: ReturnType<typeof mockClient>; cw: ReturnType<typeof mockClient>; ec2: ReturnType<typeof mockClient>; ec: ReturnType<typeof mockClient>; tag: ReturnType<typeof mockClient> } {
    const c = createClients("us-east-1");
    return { c, eks: mockClient(c.eks), cw: mockClient(c.cloudwatch), ec2: mockClient(c.ec2), ec: mockClient(c.elasticache), tag: mockClient(c.tagging) };
}

/** A dev account: a busy on-demand group, an idle spot group, an idle cache, a stray volume, an idle NAT. */
function realisticAccount() {
    const m = clients();
    const tags = (team: string) => ({ team, "cost-center": "CC", environment: "dev", owner: "o@x.io", "managed-by": "pulumi" });
    m.eks.on(ListNodegroupsCommand).resolvesOnce({ nodegroups: ["system", "serve"], nextToken: "p2" }).resolvesOnce({ nodegroups: ["research-spot"] });
    m.eks.on(DescribeNodegroupCommand, { nodegroupName: "system" }).resolves({ nodegroup: { nodegroupName: "system", instanceTypes: ["m7g.large"], capacityType: "ON_DEMAND", scalingConfig: { minSize: 2, maxSize: 4, desiredSize: 2 }, tags: tags("platform") } });
    m.eks.on(DescribeNodegroupCommand, { nodegroupName: "serve" }).resolves({ nodegroup: { nodegroupName: "serve", nodegroupArn: "arn:aws:eks:us-east-1:1:nodegroup/ai-dev/serve/x", instanceTypes: ["g6e.xlarge"], capacityType: "ON_DEMAND", scalingConfig: { minSize: 2, maxSize: 6, desiredSize: 2 }, tags: tags("search") } });
    m.eks.on(DescribeNodegroupCommand, { nodegroupName: "research-spot" }).resolves({ nodegroup: { nodegroupName: "research-spot", nodegroupArn: "arn:aws:eks:us-east-1:1:nodegroup/ai-dev/research-spot/y", instanceTypes: ["g6.xlarge", "g5.xlarge"], capacityType: "SPOT", scalingConfig: { minSize: 1, maxSize: 2, desiredSize: 1 }, tags: tags("ml-research") } });
    m.eks.on(DescribeClusterCommand).resolves({ cluster: { name: "ai-dev", resourcesVpcConfig: { vpcId: "vpc-1" } } });
    m.ec2.on(DescribeInstancesCommand, { Filters: [{ Name: "tag:eks:cluster-name", Values: ["ai-dev"] }, { Name: "tag:eks:nodegroup-name", Values: ["serve"] }] })
        .resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: "i-serve-1" }] }], NextToken: "more" })
        .resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: "i-serve-2" }] }] });
    m.ec2.on(DescribeInstancesCommand, { Filters: [{ Name: "tag:eks:cluster-name", Values: ["ai-dev"] }, { Name: "tag:eks:nodegroup-name", Values: ["research-spot"] }] })
        .resolves({ Reservations: [{ Instances: [{ InstanceId: "i-research-1" }] }] });
    const t = hours(24);
    const flat = (v: number) => t.map(() => v);
    // SEARCH results arrive one series per instance, split over two pages.
    m.cw.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries: { Id: string; Expression?: string }[]; NextToken?: string }) => {
        const q = input.MetricDataQueries;
        if (q[0].Expression?.includes("i-serve-1")) {
            if (!input.NextToken) return { MetricDataResults: [{ Id: "gpu", Label: "i-serve-1", Timestamps: t, Values: flat(50) }, { Id: "mem", Label: "i-serve-1", Timestamps: t, Values: flat(30) }], NextToken: "page2" };
            return { MetricDataResults: [{ Id: "gpu", Label: "i-serve-2", Timestamps: t, Values: flat(50) }, { Id: "mem", Label: "i-serve-2", Timestamps: t, Values: flat(30) }] };
        }
        if (q[0].Expression?.includes("i-research-1")) return { MetricDataResults: [{ Id: "gpu", Label: "i-research-1", Timestamps: t, Values: flat(0.5) }, { Id: "mem", Label: "i-research-1", Timestamps: t, Values: flat(1) }] };
        // Cache commands and NAT bytes: one sum per query over the whole period.
        return { MetricDataResults: q.map((x) => ({ Id: x.Id, Label: x.Id, Timestamps: [t[0]], Values: [0] })) };
    });
    m.tag.on(GetResourcesCommand, { TagFilters: [{ Key: "environment", Values: ["dev"] }] })
        .resolvesOnce({ ResourceTagMappingList: [{ ResourceARN: "arn:aws:elasticache:us-east-1:1:replicationgroup:ai-dev-ratelimit", Tags: Object.entries(tags("platform")).map(([Key, Value]) => ({ Key, Value })) }], PaginationToken: "t2" })
        .resolvesOnce({ ResourceTagMappingList: [{ ResourceARN: "arn:aws:s3:::scratch-bucket", Tags: [{ Key: "environment", Value: "dev" }, { Key: "team", Value: "ml-research" }] }] });
    m.tag.on(GetResourcesCommand, { TagFilters: [{ Key: "kubernetes.io/cluster/ai-dev" }] })
        .resolves({ ResourceTagMappingList: [{ ResourceARN: "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/net/k8s-x/1", Tags: [{ Key: "kubernetes.io/cluster/ai-dev", Value: "owned" }] }] });
    m.ec.on(DescribeReplicationGroupsCommand)
        .resolvesOnce({ ReplicationGroups: [{ ReplicationGroupId: "ai-dev-ratelimit", ARN: "arn:aws:elasticache:us-east-1:1:replicationgroup:ai-dev-ratelimit", MemberClusters: ["ai-dev-ratelimit-001"], CacheNodeType: "cache.t4g.micro" }], Marker: "m2" })
        .resolvesOnce({ ReplicationGroups: [{ ReplicationGroupId: "other-team-cache", ARN: "arn:aws:elasticache:us-east-1:1:replicationgroup:other", MemberClusters: ["o-001"], CacheNodeType: "cache.r7g.large" }] });
    m.ec2.on(DescribeVolumesCommand).resolves({ Volumes: [{ VolumeId: "vol-1", Size: 500, VolumeType: "gp3", Tags: [{ Key: "team", Value: "ml-research" }] }] });
    m.ec2.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [{ NatGatewayId: "nat-1", Tags: [{ Key: "team", Value: "platform" }] }] });
    return m;
}

async function audit(argv: string[], m = realisticAccount()) {
    let out = "", err = "";
    const code = await main(argv, { clients: () => m.c, now: NOW, log: (s) => { out += `${s}\n`; }, error: (s) => { err += `${s}\n`; } });
    return { code, out, err, m };
}

describe("audit", () => {
    it("finds zombies with evidence and waste, across paginated responses", async () => {
        const { code, out, err } = await audit(["--stack", "dev", "--days", "1"]);
        assert.equal(code, 0, err);
        assert.match(out, /\[idle-gpu-node-group\] ml-research: node group research-spot: ContainerInsights node_gpu_utilization p95 over 1 days to 2026-11-20 = 0\.50 % \(threshold 2 %\) on 1\.0 node\(s\) on average; wastes \$293\.75\/month/);
        assert.match(out, /\[idle-cache\] platform: cache ai-dev-ratelimit: .* = 0 commands; wastes \$9\.34\/month/);
        assert.ok(!out.includes("other-team-cache"), "only this environment's caches are judged");
        assert.match(out, /\[missing-chargeback-tags\] ml-research: arn:aws:s3:::scratch-bucket: tags over now = missing cost-center, owner, managed-by/);
        assert.match(out, /\[missing-chargeback-tags\] \(untagged\): arn:aws:elasticloadbalancing/);
        assert.match(out, /\[unattached-volume\] ml-research: volume vol-1: .*500 GiB gp3; wastes \$40\.00\/month/);
        assert.match(out, /\[idle-nat-gateway\] platform: NAT gateway nat-1: .* = 0 bytes; wastes \$36\.50\/month/);
        assert.ok(!out.includes("serve: Container"), "the busy group is no zombie");
        assert.match(err, /… node group 3\/3: research-spot/, "progress goes to stderr");
    });

    it("reports percentiles and recommends with hand-computed savings", async () => {
        const { out } = await audit(["--stack", "dev", "--days", "1"]);
        assert.match(out, /serve\s+search\s+50\.0 % \/ 50\.0 % \/ 50\.0 %\s+30\.0 % \/ 30\.0 % \/ 30\.0 %\s+2\s+1/);
        // g6e.xlarge ($1.861/h, 44.7 GiB usable) needs 44.7 x 30 % x 1.25 = 16.8 GiB: g6.xlarge ($0.8048/h, 22.35 GiB) on 2 nodes.
        assert.ok(out.includes(`[smaller-instance-type] search/serve: g6e.xlarge -> g6.xlarge: p95 GPU memory 30.0 % of 44.7 GiB needs 16.8 GiB with headroom; g6.xlarge has 22.35 GiB; saves $1,542.05/month`));
        // Peak 2 nodes: maxSize 6 -> 3 removes 3 x $1.861 x 730 of exposure.
        assert.ok(out.includes("[lower-max-size] search/serve: maxSize 6 -> 3: at most 2 node(s) ran at once in the period; saves $0.00/month, $4,075.59 less at max scale"));
        // Dev allows spot: 55 % off g6e on 2 nodes.
        assert.ok(out.includes("[move-to-spot] search/serve: g6e.xlarge on spot at the assumed 55 % discount; list several interchangeable types; saves $1,494.38/month"));
    });

    it("writes a usage snapshot the right-size policy takes as config", async () => {
        const file = `${require("os").tmpdir()}/audit-${process.pid}.json`;
        await audit(["--stack", "dev", "--days", "1", "--json", file]);
        const doc = JSON.parse(require("fs").readFileSync(file, "utf8"));
        const cfg = doc.policyConfig["right-size-from-usage"];
        assert.deepEqual(cfg.usage.serve, { p95GpuUtilization: 50, peakNodes: 2, demandGpus: 1, measuredAt: "2026-11-20" });
        const props = { nodeGroupName: "serve", capacityType: "ON_DEMAND", instanceTypes: ["g6e.xlarge"], scalingConfig: { minSize: 2, maxSize: 6, desiredSize: 2 } };
        assert.deepEqual(await violations(rightSizeFromUsage, resourceArgs("aws:eks/nodeGroup:NodeGroup", props, cfg, "serve")), [
            'aws:eks/nodeGroup:NodeGroup "serve" can scale to 6 GPUs (maxSize 6 x 1) but measured p95 demand is 1 GPU(s) (p95 utilisation 50 % on up to 2 node(s), audit of 2026-11-20); more than 50 % above demand',
        ]);
        assert.deepEqual(await violations(rightSizeFromUsage, resourceArgs("aws:eks/nodeGroup:NodeGroup", { ...props, scalingConfig: { minSize: 0, maxSize: 1, desiredSize: 0 } }, cfg, "serve")), []);
        assert.deepEqual(await violations(rightSizeFromUsage, resourceArgs("aws:eks/nodeGroup:NodeGroup", { ...props, nodeGroupName: "unmeasured" }, cfg)), []);
    });

    it("cleans up only when confirmed, reversibly, never deleting", async () => {
        const dry = await audit(["--stack", "dev", "--days", "1", "--cleanup"]);
        assert.equal(dry.m.eks.commandCalls(UpdateNodegroupConfigCommand).length, 0);
        assert.equal(dry.m.ec2.commandCalls(CreateTagsCommand).length, 0);
        assert.match(dry.err, /would: scale to min 0 \/ desired 0 and tag for review \(node group research-spot\); undo: set minSize=1 desiredSize=1/);
        assert.match(dry.out, /Clean-up \(dry run: add --yes to apply\)/);
        const real = await audit(["--stack", "dev", "--days", "1", "--cleanup", "--yes"]);
        const update = real.m.eks.commandCalls(UpdateNodegroupConfigCommand);
        assert.equal(update.length, 1);
        assert.deepEqual(update[0].args[0].input, { clusterName: "ai-dev", nodegroupName: "research-spot", scalingConfig: { minSize: 0, desiredSize: 0, maxSize: 2 } });
        assert.equal(real.m.eks.commandCalls(TagResourceCommand).length, 1);
        assert.deepEqual(real.m.ec2.commandCalls(CreateTagsCommand).map((c) => (c.args[0].input as { Resources: string[] }).Resources[0]).sort(), ["nat-1", "vol-1"]);
        const sent = [real.m.eks, real.m.ec2, real.m.ec, real.m.cw, real.m.tag].flatMap((client) => client.calls().map((c) => c.args[0].constructor.name));
        assert.ok(!sent.some((name) => /Delete|Terminate|Remove/.test(name)), sent.join(", "));
    });

    it("explains missing permissions and persistent throttling", async () => {
        const denied = realisticAccount();
        denied.eks.on(ListNodegroupsCommand).rejects(Object.assign(new Error("User is not authorized"), { name: "AccessDeniedException" }));
        const a = await audit(["--stack", "dev"], denied);
        assert.equal(a.code, 2);
        assert.match(a.err, /missing IAM permission eks:ListNodegroups \(needed by ListNodegroupsCommand\)/);
        const throttled = realisticAccount();
        throttled.tag.on(GetResourcesCommand).rejects(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: { attempts: 10 } }));
        const b = await audit(["--stack", "dev"], throttled);
        assert.equal(b.code, 3);
        assert.match(b.err, /AWS kept throttling tag:GetResources after 10 attempts/);
    });

    it("lets the SDK retry throttling adaptively on every client", async () => {
        assert.deepEqual(RETRY, { maxAttempts: 10, retryMode: "adaptive" });
        const c = createClients("eu-west-1");
        for (const client of [c.eks, c.cloudwatch, c.elasticache, c.tagging, c.ec2] as (EKSClient | CloudWatchClient | ElastiCacheClient | ResourceGroupsTaggingAPIClient | EC2Client)[]) {
            assert.equal(await client.config.maxAttempts(), 10);
            assert.equal(await client.config.region(), "eu-west-1");
        }
    });

    it("validates its arguments", () => {
        assert.deepEqual(parseAuditArgs(["--stack", "prod"]), { stack: "prod", days: 14, cleanup: false, yes: false });
        assert.throws(() => parseAuditArgs([]), /--stack is required/);
        assert.throws(() => parseAuditArgs(["--stack", "dev", "--days", "0"]), /--days 0 is not allowed/);
        assert.throws(() => parseAuditArgs(["--stack", "dev", "--yes"]), /--yes only confirms --cleanup/);
    });

    it("computes percentiles and usage by hand", () => {
        assert.ok(Math.abs(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)! - 9.55) < 1e-9);
        assert.equal(percentile([5], 50), 5);
        const t = hours(2).map((d) => d.getTime());
        const u = usageOf({ name: "g", team: "t", capacity: "SPOT", instanceTypes: ["g6.12xlarge"], minSize: 0, maxSize: 4, desiredSize: 0,
            gpuUtilization: [{ id: "a", timestamps: t, values: [10, 90] }, { id: "b", timestamps: [t[1]], values: [70] }], gpuMemoryUtilization: [] });
        assert.deepEqual([u.peakNodes, u.averageNodes, u.gpusPerNode, u.gpu?.max, u.demandGpus], [2, 1.5, 4, 80, 7]);
        assert.deepEqual(recommend({ name: "g", team: "t", capacity: "SPOT", instanceTypes: ["x9.mega"], minSize: 0, maxSize: 4, desiredSize: 0, gpuUtilization: [], gpuMemoryUtilization: [] }, u, { region: "us-east-1", spotAllowed: true }), [], "unknown types get no guessed advice");
    });
});
