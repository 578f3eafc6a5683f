import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeClusterCommand, DescribeNodegroupCommand } from "@aws-sdk/client-eks";
import { DescribeReplicationGroupsCommand } from "@aws-sdk/client-elasticache";
import { GetResourcesCommand } from "@aws-sdk/client-resource-groups-tagging-api";
import { EXIT } from "../../audit/cli";
import { explain } from "../../audit/errors";
import { batchInstanceIds, nodeSearchQuery, SEARCH_QUERY_MAX_CHARS } from "../../audit/metrics";
import { fakeAccount, hours, node, runCli } from "./fakeAccount";

const DAY = hours(24);
const denied = (name = "AccessDeniedException") => Object.assign(new Error("User is not authorized to perform this action"), { name, $metadata: {} });

function account() {
    return fakeAccount({
        groups: [{ name: "eval-spot", team: "ml-research", capacity: "SPOT", instanceTypes: ["g6.xlarge"], minSize: 0, maxSize: 2, desiredSize: 1 }],
        nodes: [node("i-1", "eval-spot", "g6.xlarge", DAY, { util: 0.3, mem: 1 })],
        caches: [{ id: "ai-dev-ratelimit", nodeType: "cache.t4g.micro", commands: 0 }],
        nats: [{ id: "nat-1", tags: { team: "platform" }, bytes: 0 }],
    });
}

describe("audit: partial results and honest errors", () => {
    it("AccessDenied on a later call keeps everything else, names the missing IAM action, exits 4", async () => {
        const m = account();
        m.ec.on(DescribeReplicationGroupsCommand).rejects(denied());
        const file = `${os.tmpdir()}/audit-partial-${process.pid}.json`;
        const md = `${os.tmpdir()}/audit-partial-${process.pid}.md`;
        const { code, out } = await runCli(["--stack", "dev", "--days", "1", "--json", file, "--markdown", md], m);
        assert.equal(code, EXIT.partial);
        const markdown = fs.readFileSync(md, "utf8");
        assert.match(markdown, /last 1 days, partial\)/);
        assert.match(markdown, /\*\*Not audited:\*\*\n- idle ElastiCache groups: missing IAM permission elasticache:DescribeReplicationGroups/);
        assert.match(markdown, /\| eval-spot \| idle \| every node-hour's peak GPU utilisation < 2 %/);
        assert.match(out, /· PARTIAL/);
        assert.match(out, /\[idle-gpu-node-group\] ml-research: node group eval-spot/, "the GPU analysis is kept");
        assert.match(out, /\[idle-nat-gateway\] platform: NAT gateway nat-1/, "checks after the failure still run");
        assert.match(out, /Not audited \(1\): the report above is partial\n {2}idle ElastiCache groups: missing IAM permission elasticache:DescribeReplicationGroups \(needed by DescribeReplicationGroupsCommand\): grant it to the auditing role/);
        const doc = JSON.parse(fs.readFileSync(file, "utf8"));
        assert.equal(doc.status, "partial");
        assert.deepEqual(doc.unaudited.map((u: { action: string }) => u.action), ["elasticache:DescribeReplicationGroups"]);
    });

    it("a denied DescribeCluster costs only the NAT check", async () => {
        const m = account();
        m.eks.on(DescribeClusterCommand).rejects(denied());
        const { code, out } = await runCli(["--stack", "dev", "--days", "1"], m);
        assert.equal(code, EXIT.partial);
        assert.match(out, /idle NAT gateways \(the cluster's VPC\): missing IAM permission eks:DescribeCluster/);
        assert.match(out, /\[idle-gpu-node-group\]/);
        assert.match(out, /\[idle-cache\]/);
    });

    it("without metrics access the GPU groups are unknown, not idle", async () => {
        const m = account();
        m.cw.on(GetMetricDataCommand).rejects(denied());
        const { code, out } = await runCli(["--stack", "dev", "--days", "1", "--cleanup", "--yes"], m);
        assert.equal(code, EXIT.partial);
        assert.ok(!out.includes("[idle-gpu-node-group]"));
        assert.ok(!out.includes("[idle-nat-gateway]"));
        assert.match(out, /eval-spot\s+ml-research\s+unknown/);
        assert.match(out, /node group eval-spot metrics: missing IAM permission cloudwatch:GetMetricData/);
        assert.match(out, /idle NAT gateways: missing IAM permission cloudwatch:GetMetricData/);
    });

    it("a throttled node-group listing costs the GPU section, not the rest", async () => {
        const m = account();
        m.eks.on(DescribeNodegroupCommand).rejects(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: {} }));
        const { code, out } = await runCli(["--stack", "dev", "--days", "1"], m);
        assert.equal(code, EXIT.partial);
        assert.match(out, /GPU node groups: AWS kept throttling eks:DescribeNodegroup after 10 attempts: retry later or narrow --days/);
        assert.match(out, /\[idle-nat-gateway\] platform: NAT gateway nat-1/);
        assert.match(out, /\[idle-cache\] platform: cache ai-dev-ratelimit/);
    });

    it("throttling that outlasts the retries costs one check, with the configured attempt count", async () => {
        const m = account();
        m.tag.on(GetResourcesCommand).rejects(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: {} }));
        const { code, out } = await runCli(["--stack", "dev", "--days", "1"], m);
        assert.equal(code, EXIT.partial);
        assert.match(out, /chargeback tags of the environment's resources: AWS kept throttling tag:GetResources after 10 attempts/);
        assert.match(out, /idle ElastiCache groups: skipped: which caches belong to the environment comes from tag:GetResources, which failed/);
        assert.match(out, /\[idle-gpu-node-group\]/);
    });

    it("expired credentials and an unknown cluster stop the run with their own messages", async () => {
        const expired = account();
        expired.eks.on(DescribeClusterCommand).rejects(Object.assign(new Error("The security token included in the request is expired"), { name: "ExpiredTokenException", $metadata: {} }));
        const a = await runCli(["--stack", "dev"], expired);
        assert.equal(a.code, EXIT.usage);
        assert.match(a.err, /error: AWS credentials have expired \(ExpiredTokenException from eks:DescribeCluster\): sign in again/);

        const midway = account();
        midway.ec.on(DescribeReplicationGroupsCommand).rejects(Object.assign(new Error("expired"), { name: "ExpiredToken", $metadata: {} }));
        const b = await runCli(["--stack", "dev"], midway);
        assert.equal(b.code, EXIT.usage, "an expired session is not reported as a partial result");
        assert.match(b.err, /AWS credentials have expired/);

        const unknown = account();
        unknown.eks.on(DescribeClusterCommand).rejects(Object.assign(new Error("No cluster found for name: ai-dev."), { name: "ResourceNotFoundException", $metadata: {} }));
        const c = await runCli(["--stack", "dev"], unknown);
        assert.equal(c.code, EXIT.usage);
        assert.match(c.err, /error: EKS cluster ai-dev not found in us-east-1: check ai-infra:cluster\.name and aws:region in the stack file/);

        assert.match(explain(Object.assign(new Error("x"), { name: "UnrecognizedClientException" }), "eks", "ListNodegroupsCommand").message, /AWS rejected the credentials/);
        assert.match(explain(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }), "eks", "ListNodegroupsCommand").message, /no AWS credentials found/);
    });

    it("many instances: SEARCH expressions are batched under 1,024 characters and every node counts", async () => {
        const ids = Array.from({ length: 60 }, (_, i) => `i-0${i.toString(16).padStart(16, "0")}`);
        assert.ok(nodeSearchQuery("node_gpu_memory_utilization", "ai-dev", ids).length > SEARCH_QUERY_MAX_CHARS, "one expression would be rejected");
        const batches = batchInstanceIds("node_gpu_memory_utilization", "ai-dev", ids);
        assert.deepEqual(batches.flat(), ids, "every id, once, in order");
        assert.ok(batches.length >= 3);
        const m = fakeAccount({
            groups: [{ name: "big", team: "ml-research", capacity: "SPOT", instanceTypes: ["g6.xlarge"], minSize: 0, maxSize: 80, desiredSize: 60 }],
            nodes: ids.map((id) => node(id, "big", "g6.xlarge", DAY, { util: 30, mem: 20 })),
        });
        const { code, out } = await runCli(["--stack", "dev", "--days", "1"], m);
        assert.equal(code, 0, out);
        assert.ok(m.searches.every((q) => q.length <= SEARCH_QUERY_MAX_CHARS), "the fake rejects longer queries as CloudWatch does");
        assert.match(out, /big\s+ml-research\s+busy .*\s1440\s+60\.00\s+60\s/);
        assert.match(out, /\[lower-max-size\] ml-research\/big: maxSize 80 -> 61: at most 60 node\(s\)/);
    });
});
