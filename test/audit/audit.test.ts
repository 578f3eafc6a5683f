import { strict as assert } from "assert";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { EKSClient, ListNodegroupsCommand } from "@aws-sdk/client-eks";
import { DescribeReplicationGroupsCommand, ElastiCacheClient } from "@aws-sdk/client-elasticache";
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { parseAuditArgs } from "../../audit/cli";
import { createClients, RETRY } from "../../audit/clients";
import { percentile } from "../../audit/stats";
import { fakeAccount, hours, node, runCli } from "./fakeAccount";

const DAY = hours(24);

/** A dev account: a busy on-demand group, an idle spot group, an idle cache, stray volumes, an idle NAT. */
function devAccount() {
    return fakeAccount({
        groups: [
            { name: "system", team: "platform", capacity: "ON_DEMAND", instanceTypes: ["m7g.large"], minSize: 2, maxSize: 4, desiredSize: 2 },
            { name: "serve", team: "ml-research", capacity: "ON_DEMAND", instanceTypes: ["g6e.xlarge"], minSize: 0, maxSize: 6, desiredSize: 2 },
            { name: "research-spot", team: "ml-research", capacity: "SPOT", instanceTypes: ["g6.xlarge", "g5.xlarge"], minSize: 0, maxSize: 2, desiredSize: 1 },
        ],
        nodes: [
            node("i-serve-1", "serve", "g6e.xlarge", DAY, { util: 20, mem: 30 }),
            node("i-serve-2", "serve", "g6e.xlarge", DAY, { util: 20, mem: 30 }),
            node("i-research-1", "research-spot", "g6.xlarge", DAY, { util: 0.5, mem: 1 }),
        ],
        caches: [{ id: "ai-dev-ratelimit", nodeType: "cache.t4g.micro", commands: 0 }, { id: "other-team-cache", nodeType: "cache.r7g.large", commands: 0, env: false }],
        taggedResources: [
            { arn: "arn:aws:s3:::scratch-bucket", tags: { environment: "dev", team: "ml-research" } },
            { arn: "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/net/k8s-x/1", tags: { "kubernetes.io/cluster/ai-dev": "owned" } },
        ],
        volumes: [
            { id: "vol-1", sizeGiB: 500, tags: { team: "ml-research", environment: "dev" } },
            { id: "vol-pv", sizeGiB: 100, tags: { "ebs.csi.aws.com/cluster": "true", CSIVolumeName: "pvc-1234", "kubernetes.io/created-for/pv/name": "pvc-1234", "kubernetes.io/created-for/pvc/name": "weights", "kubernetes.io/created-for/pvc/namespace": "search" } },
            { id: "vol-elsewhere", sizeGiB: 100, tags: { "ebs.csi.aws.com/cluster": "true", "ebs.csi.aws.com/cluster-name": "ai-other", CSIVolumeName: "pvc-9" } },
        ],
        nats: [{ id: "nat-1", tags: { team: "platform" }, bytes: 0 }, { id: "nat-inbound", tags: {}, bytes: 0, inbound: 50 * 1024 * 1024 }, { id: "nat-held", tags: {}, bytes: 0, connections: 3 }],
    });
}

describe("audit", () => {
    it("finds zombies with evidence and waste, across paginated responses", async () => {
        const m = devAccount();
        const { code, out, err } = await runCli(["--stack", "dev", "--days", "1"], m);
        assert.equal(code, 0, err);
        // Priced at the dearest listed type, g5.xlarge on spot: 1.006 × 0.4 × 730 × 24/24 node-hours.
        assert.match(out, /\[idle-gpu-node-group\] ml-research: node group research-spot: .* = peak 0\.50 %, GPU memory peak 1\.00 %, 24 node-hour\(s\) in 24 of 24 hour\(s\); wastes \$293\.75\/month/);
        assert.match(out, /\[idle-cache\] platform: cache ai-dev-ratelimit: .* = 0 commands; wastes \$9\.34\/month/);
        assert.ok(!out.includes("other-team-cache"), "only this environment's caches are judged");
        assert.match(out, /\[missing-chargeback-tags\] ml-research: arn:aws:s3:::scratch-bucket: tags over now = missing cost-center, owner, managed-by/);
        assert.match(out, /\[missing-chargeback-tags\] \(untagged\): arn:aws:elasticloadbalancing/);
        assert.match(out, /\[unattached-volume\] ml-research: volume vol-1: .*500 GiB gp3, no PersistentVolume tags; wastes \$40\.00\/month/);
        assert.match(out, /\[idle-nat-gateway\] platform: NAT gateway nat-1: AWS\/NATGateway BytesOutToDestination \+ BytesInFromSource \(sum\), ActiveConnectionCount \(max\) .* = 0 bytes, no active connection; wastes \$36\.50\/month/);
        assert.ok(!out.includes("nat-inbound") && !out.includes("nat-held"), "inbound traffic or an open connection is use");
        assert.ok(!out.includes("node group serve:"), "the busy group is no zombie");
        assert.match(err, /… node group 3\/3: research-spot/, "progress goes to stderr");
        // Every paginated call followed its token.
        assert.equal(m.eks.commandCalls(ListNodegroupsCommand).length, 2);
        assert.ok(m.ec2.commandCalls(DescribeInstancesCommand).length >= 3, "serve's two instances come on two pages");
        assert.equal(m.ec.commandCalls(DescribeReplicationGroupsCommand).length, 2);
        assert.equal(m.tag.commandCalls(GetResourcesCommand).length, 3, "two pages for the environment, one for the cluster");
    });

    it("finds EBS CSI volumes by the driver's own tags, and never calls a PersistentVolume's disk a zombie", async () => {
        const m = devAccount();
        const { out } = await runCli(["--stack", "dev", "--days", "1", "--cleanup", "--yes"], m);
        assert.match(out, /\[detached-persistent-volume\] \(untagged\): volume vol-pv: EC2 volume state and EBS CSI tags over now = available \(unattached\), 100 GiB gp3, PersistentVolume pvc-1234, claim search\/weights, costs 8\.00 USD\/month\. belongs to a PersistentVolume: check `kubectl get pv pvc-1234`/);
        assert.ok(!out.includes("vol-elsewhere"), "a CSI volume of another cluster is not this stack's");
        assert.ok(!/ai-infra\/review.*vol-pv|vol-pv.*tag for review/.test(out), "a PersistentVolume's disk is not even tagged");
        const { DescribeVolumesCommand } = await import("@aws-sdk/client-ec2");
        const filters = m.ec2.commandCalls(DescribeVolumesCommand).map((c) => (c.args[0].input as { Filters: { Name: string; Values: string[] }[] }).Filters[1]);
        assert.deepEqual(filters.map((f) => `${f.Name}=${f.Values.join(",")}`), ["tag-key=kubernetes.io/cluster/ai-dev", "tag:ebs.csi.aws.com/cluster-name=ai-dev", "tag:environment=dev", "tag:ebs.csi.aws.com/cluster=true"]);
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
        assert.deepEqual(parseAuditArgs(["--stack", "prod"]), { stack: "prod", days: 14, cleanup: false, restore: false, yes: false, allow: [] });
        assert.deepEqual(parseAuditArgs(["--stack", "prod", "--cleanup", "--allow", "a", "--allow", "b"]).allow, ["a", "b"]);
        assert.throws(() => parseAuditArgs([]), /--stack is required/);
        assert.throws(() => parseAuditArgs(["--stack", "dev", "--days", "0"]), /--days 0 is not allowed/);
        assert.throws(() => parseAuditArgs(["--stack", "dev", "--yes"]), /--yes only confirms --cleanup or --restore/);
        assert.throws(() => parseAuditArgs(["--stack", "dev", "--allow", "x"]), /--allow only applies to --cleanup/);
        assert.throws(() => parseAuditArgs(["--stack", "dev", "--cleanup", "--restore"]), /exclude each other/);
    });

    it("computes percentiles by hand", () => {
        assert.ok(Math.abs(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)! - 9.55) < 1e-9);
        assert.equal(percentile([5], 50), 5);
    });
});
