import { strict as assert } from "assert";
import * as path from "path";
import { specialRange } from "../../components/cidrRanges";
import { ConfigError, parseStackConfig } from "../../components/config";
import { existingClusterUnmanaged } from "../../components/configCluster";
import { Platform } from "../../components/platform";
import { toText } from "../../plan/report";
import { runPlan } from "../../plan/plan";
import { baseConfig, declare, ofType } from "../helpers";

function problems(overrides: Record<string, unknown>): string[] {
    try {
        parseStackConfig(baseConfig(overrides));
    } catch (e) {
        assert.ok(e instanceof ConfigError, String(e));
        return e.problems.map((p) => p.message);
    }
    return [];
}
const prodCluster = (cluster: Record<string, unknown>) => ({ "ai-infra:environment": "prod", "ai-infra:cluster": { name: "ai-prod", ...cluster } });
const existing = (cluster: Record<string, unknown>) => ({ "ai-infra:cluster": { name: "shared", create: false, ...cluster } });

describe("reaching the cluster", () => {
    it("knows documentation, private and reserved ranges, and public ones", () => {
        assert.match(specialRange("203.0.113.0/24")!, /TEST-NET-3/);
        assert.match(specialRange("198.51.100.7/32")!, /TEST-NET-2/);
        assert.match(specialRange("10.1.0.0/16")!, /private/);
        assert.match(specialRange("192.0.0.0/16")!, /./, "a supernet overlapping a special range");
        assert.equal(specialRange("52.94.0.0/22"), undefined);
        assert.equal(specialRange("8.8.8.8/32"), undefined);
    });

    it("rejects documentation and reserved public-access ranges in prod, naming the entry", () => {
        assert.deepEqual(problems(prodCluster({ publicAccessCidrs: ["52.94.0.0/22", "203.0.113.0/24"] })), [
            'ai-infra:cluster.publicAccessCidrs[1]: "203.0.113.0/24" is not allowed: lies in 203.0.113.0/24 documentation TEST-NET-3 (RFC 5737), which no CI runner or VPN reaches the endpoint from: list your runners\' public egress addresses, or keep the endpoint private and use apiAccessSecurityGroupIds',
        ]);
        assert.match(problems(prodCluster({ publicAccessCidrs: ["192.168.0.0/16"] }))[0], /^ai-infra:cluster\.publicAccessCidrs\[0\]: "192\.168\.0\.0\/16" is not allowed: lies in 192\.168\.0\.0\/16 private/);
        assert.deepEqual(problems(prodCluster({ publicAccessCidrs: ["52.94.0.0/22"] })), []);
    });

    it("admits a runner's security group to the private endpoint on 443 through the cluster security group", async () => {
        assert.deepEqual(problems({ "ai-infra:cluster": { name: "a", apiAccessSecurityGroupIds: ["sg-nope!"] } }), ['ai-infra:cluster.apiAccessSecurityGroupIds[0]: "sg-nope!" is not allowed: must be a security group id like sg-0abc']);
        assert.match(problems(existing({ subnetIds: ["subnet-a"], devicePlugin: "present", clusterAutoscaler: "present", apiAccessSecurityGroupIds: ["sg-0abc"] }))[0],
            /^ai-infra:cluster\.apiAccessSecurityGroupIds: \["sg-0abc"\] is not allowed: only with create: true/);
        const resources = await declare(() => new Platform("ai", { config: parseStackConfig(baseConfig(prodCluster({ publicAccessCidrs: [], apiAccessSecurityGroupIds: ["sg-0abc"] }))) }));
        const rules = ofType(resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.name.includes("-api-from-"));
        assert.equal(rules.length, 1);
        const cluster = ofType(resources, "aws:eks/cluster:Cluster")[0];
        assert.deepEqual([rules[0].inputs.referencedSecurityGroupId, rules[0].inputs.ipProtocol, rules[0].inputs.fromPort, rules[0].inputs.toPort], ["sg-0abc", "tcp", 443, 443]);
        assert.ok(rules[0].dependencies.includes(cluster.urn), "the rule is on the cluster's own security group");
        assert.equal((cluster.inputs.vpcConfig as Record<string, unknown>).endpointPublicAccess, false);
    });

    it("plans the prod stack private, with the runner's rule and no documentation range", async () => {
        const plan = await runPlan({ stack: "prod" });
        const cluster = plan.resources.find((r) => r.type === "aws:eks/cluster:Cluster")!;
        assert.equal((cluster.inputs.vpcConfig as Record<string, unknown>).endpointPublicAccess, false);
        assert.ok(plan.resources.some((r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" && r.inputs.fromPort === 443));
        assert.deepEqual(plan.notes, []);
    });
});

describe("existing-cluster mode", () => {
    it("requires explicit private subnets and an explicit choice for the device plugin and the autoscaler", () => {
        assert.deepEqual(problems(existing({})), [
            "ai-infra:cluster.subnetIds: missing: required, with create: false, list the private subnets (with a NAT route) the GPU nodes and the cache use; the cluster's own subnets often include public ones, where nodes without a public IP cannot join",
            "ai-infra:cluster.devicePlugin: missing: required, with create: false, say whether the stack should install the NVIDIA device plugin (install) or the cluster already runs one (present)",
            "ai-infra:cluster.clusterAutoscaler: missing: required, with create: false, say whether the stack should install the Cluster Autoscaler (install) or the cluster already runs one (present)",
        ]);
        assert.deepEqual(problems(existing({ subnetIds: ["subnet-a"], devicePlugin: "maybe", clusterAutoscaler: "install" })), [
            'ai-infra:cluster.devicePlugin: "maybe" is not allowed: must be one of install, present',
            "ai-infra:cluster.version: missing: required, with create: false and clusterAutoscaler: install, give the existing cluster's minor: the autoscaler's chart and image must match it",
        ]);
        assert.deepEqual(problems({ "ai-infra:cluster": { name: "a", clusterAutoscaler: "present" } }), [
            'ai-infra:cluster.clusterAutoscaler: "present" is not allowed: a cluster this stack creates has no Cluster Autoscaler until the stack installs it: use install',
        ]);
    });

    it("says in the plan what it does not manage", async () => {
        const cluster = parseStackConfig(baseConfig(existing({ subnetIds: ["subnet-a"], devicePlugin: "present", clusterAutoscaler: "present" }))).cluster;
        const unmanaged = existingClusterUnmanaged(cluster);
        assert.ok(unmanaged.some((n) => n.startsWith("the NVIDIA device plugin (declared present")));
        assert.ok(unmanaged.some((n) => n.startsWith("the Cluster Autoscaler (declared present")));
        assert.deepEqual(existingClusterUnmanaged(parseStackConfig(baseConfig()).cluster), []);
        // The small fixture is an existing cluster that already runs both.
        const plan = await runPlan({ stack: "small", configFile: path.join(__dirname, "..", "fixtures", "Pulumi.small.yaml") });
        assert.deepEqual(plan.notes, unmanaged.map((n) => `existing cluster (create: false): this stack does not manage ${n}`));
        assert.match(toText(plan), /\nnote: existing cluster \(create: false\): this stack does not manage the NVIDIA device plugin \(declared present/);
    });
});
