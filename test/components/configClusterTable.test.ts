import { strict as assert } from "assert";
import { ConfigError, parseStackConfig } from "../../components/config";
import { kubernetesVersionProblem } from "../../components/configCluster";
import { MIN_KUBERNETES_MINOR } from "../../components/constants";
import { baseConfig } from "../helpers";

/** The cluster problems of a config (other keys' problems left out), or [] when it is accepted. */
function problems(cluster: Record<string, unknown>, environment = "dev"): string[] {
    try {
        parseStackConfig(baseConfig({ "ai-infra:cluster": { name: "ai-test", ...cluster }, "ai-infra:environment": environment }));
        return [];
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
        return e.problems.map((p) => p.message).filter((m) => m.startsWith("ai-infra:cluster"));
    }
}
const accepted = (cluster: Record<string, unknown>, environment = "dev") => parseStackConfig(baseConfig({ "ai-infra:cluster": { name: "ai-test", ...cluster }, "ai-infra:environment": environment })).cluster;
const P = "ai-infra:cluster";
const CIDR_RANGE = "must be an IPv4 CIDR from /16 to /20 (the zones' subnets are carved from it)";
const existing = { create: false, subnetIds: ["subnet-a", "subnet-b"], devicePlugin: "present", clusterAutoscaler: "present" };

describe("cluster config: each key made invalid, each boundary probed", () => {
    it("VPC CIDR prefix from /16 to /20: /15 and /21 rejected, /16 and /20 accepted, anchored pattern", () => {
        assert.deepEqual(problems({ vpcCidr: "10.0.0.0/15" }), [`${P}.vpcCidr: "10.0.0.0/15" is not allowed: ${CIDR_RANGE}`]);
        assert.deepEqual(problems({ vpcCidr: "10.0.0.0/21" }), [`${P}.vpcCidr: "10.0.0.0/21" is not allowed: ${CIDR_RANGE}`]);
        assert.equal(accepted({ vpcCidr: "10.0.0.0/16" }).vpcCidr, "10.0.0.0/16");
        assert.equal(accepted({ vpcCidr: "10.0.0.0/20" }).vpcCidr, "10.0.0.0/20");
        for (const bad of ["x10.0.0.0/16", "10.0.0.0/16 ", "10.0.0/16"]) {
            assert.deepEqual(problems({ vpcCidr: bad }), [`${P}.vpcCidr: ${JSON.stringify(bad)} is not allowed: must be an IPv4 CIDR from /16 to /20, like 10.0.0.0/16`], bad);
        }
    });

    it("Kubernetes minor: the documented minimum is accepted, one below rejected", () => {
        const today = new Date("2026-11-26T00:00:00Z");
        assert.match(kubernetesVersionProblem(`1.${MIN_KUBERNETES_MINOR - 1}`, today) ?? "", /^must be at least 1\.\d+ \(the Envoy AI Gateway's minimum\)$/);
        assert.doesNotMatch(kubernetesVersionProblem(`1.${MIN_KUBERNETES_MINOR}`, today) ?? "", /must be at least/);
        assert.match(kubernetesVersionProblem("1.99", today) ?? "", /is not in the EKS version table/);
        assert.deepEqual(problems({ version: "1.3" }).length, 1);
        assert.deepEqual(problems({ version: 1.33 }).length, 1, "an unquoted YAML number is refused");
    });

    it("ids are anchored patterns: a prefix or suffix is refused", () => {
        // (A refused vpcId is then also reported missing beside the subnets; only the first message is the point here.)
        assert.equal(problems({ vpcId: "xvpc-1", subnetIds: ["subnet-a", "subnet-b"] })[0], `${P}.vpcId: "xvpc-1" is not allowed: must be a VPC id like vpc-0abc`);
        assert.equal(problems({ vpcId: "vpc-1 ", subnetIds: ["subnet-a", "subnet-b"] })[0], `${P}.vpcId: "vpc-1 " is not allowed: must be a VPC id like vpc-0abc`);
        assert.deepEqual(problems({ vpcId: "vpc-1", subnetIds: ["subnet-a", "subnet-b", "my-subnet-c"] }), [`${P}.subnetIds[2]: "my-subnet-c" is not allowed: must be a subnet id like subnet-0abc`]);
        assert.deepEqual(problems({ apiAccessSecurityGroupIds: ["sg-0abc", "sg-0abcx"] }), [`${P}.apiAccessSecurityGroupIds[1]: "sg-0abcx" is not allowed: must be a security group id like sg-0abc`]);
        assert.deepEqual(problems({ adminRoleArns: ["arn:aws:iam::12345678901:role/x"] }), [`${P}.adminRoleArns[0]: "arn:aws:iam::12345678901:role/x" is not allowed: must be an IAM role ARN`]);
        assert.deepEqual(problems({ adminRoleArns: ["xarn:aws:iam::123456789012:role/x"] }), [`${P}.adminRoleArns[0]: "xarn:aws:iam::123456789012:role/x" is not allowed: must be an IAM role ARN`]);
        assert.deepEqual(accepted({ adminRoleArns: ["arn:aws-us-gov:iam::123456789012:role/x"] }).adminRoleArns, ["arn:aws-us-gov:iam::123456789012:role/x"]);
        assert.deepEqual(problems({ name: "-ai" }), [`${P}.name: "-ai" is not allowed: must be an EKS cluster name (letters, digits, '-', '_', at most 100)`]);
        assert.deepEqual(problems({ name: "a".repeat(101) }).length, 1);
        assert.equal(accepted({ name: "a".repeat(100) }).name, "a".repeat(100));
    });

    it("an existing VPC needs subnets in two zones, and subnets need their VPC", () => {
        assert.deepEqual(problems({ vpcId: "vpc-1" }), [`${P}.subnetIds: missing: required, with cluster.vpcId, list the private subnets (at least two zones) the cluster and nodes use`]);
        assert.deepEqual(problems({ vpcId: "vpc-1", subnetIds: ["subnet-a"] }), [`${P}.subnetIds: ["subnet-a"] is not allowed: EKS needs subnets in at least two availability zones`]);
        assert.deepEqual(problems({ subnetIds: ["subnet-a", "subnet-b"] }), [`${P}.vpcId: missing: required, with cluster.subnetIds, give the VPC they belong to`]);
        const c = accepted({ vpcId: "vpc-1", subnetIds: ["subnet-a", "subnet-b"] });
        assert.deepEqual([c.vpcId, c.subnetIds], ["vpc-1", ["subnet-a", "subnet-b"]]);
    });

    it("availability zones from 2 to 4", () => {
        assert.deepEqual(problems({ availabilityZones: 1 }), [`${P}.availabilityZones: 1 is not allowed: must be an integer from 2 to 4`]);
        assert.deepEqual(problems({ availabilityZones: 5 }), [`${P}.availabilityZones: 5 is not allowed: must be an integer from 2 to 4`]);
        assert.equal(accepted({ availabilityZones: 4 }).availabilityZones, 4);
        assert.equal(accepted({ availabilityZones: 2 }, "prod").availabilityZones, 2);
    });

    it("create: false forbids each key that shapes a new cluster, one at a time", () => {
        const forbidden = `${P}.create: false is not allowed: an existing cluster is used as it is: remove vpcCidr, availabilityZones, publicAccessCidrs, adminRoleArns and systemNodes, or set create: true`;
        assert.deepEqual(problems(existing), []);
        for (const [k, v] of Object.entries({ vpcCidr: "10.0.0.0/16", availabilityZones: 2, publicAccessCidrs: [], adminRoleArns: [], systemNodes: {} })) {
            assert.deepEqual(problems({ ...existing, [k]: v }), [forbidden], k);
        }
        assert.deepEqual(problems({ ...existing, apiAccessSecurityGroupIds: [] }), [`${P}.apiAccessSecurityGroupIds: [] is not allowed: only with create: true (an existing cluster's security group belongs to its owners)`]);
        const { subnetIds: _, ...noSubnets } = existing;
        assert.equal(problems(noSubnets).length, 1);
        assert.match(problems(noSubnets)[0], /^ai-infra:cluster\.subnetIds: missing: required, with create: false, list the private subnets/);
        assert.deepEqual(accepted({ ...existing, subnetIds: ["subnet-a"] }).subnetIds, ["subnet-a"], "an existing cluster's subnets are its owners' business");
    });

    it("device plugin and autoscaler: install or present, present only for an existing cluster, said explicitly there", () => {
        assert.deepEqual(problems({ devicePlugin: "present" }), [`${P}.devicePlugin: "present" is not allowed: a cluster this stack creates has no NVIDIA device plugin until the stack installs it: use install`]);
        assert.deepEqual(problems({ clusterAutoscaler: "maybe" }), [`${P}.clusterAutoscaler: "maybe" is not allowed: must be one of install, present`]);
        const { devicePlugin: _d, ...noPlugin } = existing;
        assert.deepEqual(problems(noPlugin), [`${P}.devicePlugin: missing: required, with create: false, say whether the stack should install the NVIDIA device plugin (install) or the cluster already runs one (present)`]);
        assert.deepEqual(problems({ ...existing, clusterAutoscaler: "install" }), [`${P}.version: missing: required, with create: false and clusterAutoscaler: install, give the existing cluster's minor: the autoscaler's chart and image must match it`]);
        const c = accepted({});
        assert.deepEqual([c.devicePlugin, c.clusterAutoscaler], ["install", "install"]);
    });

    it("prod keeps the endpoint private-first", () => {
        assert.deepEqual(problems({ publicAccessCidrs: ["0.0.0.0/0"] }, "prod"), [`${P}.publicAccessCidrs: ["0.0.0.0/0"] is not allowed: prod keeps the API endpoint private-first: list your CI and VPN ranges, never 0.0.0.0/0`]);
        assert.deepEqual(accepted({ publicAccessCidrs: ["0.0.0.0/0"] }).publicAccessCidrs, ["0.0.0.0/0"]);
        assert.deepEqual(accepted({ publicAccessCidrs: ["203.0.113.0/24"] }, "dev").publicAccessCidrs, ["203.0.113.0/24"]);
        assert.match(problems({ publicAccessCidrs: ["10.1.0.0/16"] }, "prod")[0] ?? "", /^ai-infra:cluster\.publicAccessCidrs\[0\]: "10\.1\.0\.0\/16" is not allowed: lies in /);
        assert.deepEqual(problems({ publicAccessCidrs: ["10.0.0.0/16 "] }), [`${P}.publicAccessCidrs[0]: "10.0.0.0/16 " is not allowed: must be an IPv4 CIDR`]);
    });

    it("system nodes: non-GPU types of one architecture, 1 <= min <= desired <= max <= 100", () => {
        const sys = (s: Record<string, unknown>) => problems({ systemNodes: s });
        assert.deepEqual(sys({ instanceTypes: ["m7i.large", "m7g.large"] }), [`${P}.systemNodes.instanceTypes: ["m7i.large","m7g.large"] is not allowed: all types of one node group must share an architecture (one AMI type)`]);
        assert.equal(sys({ instanceTypes: ["g5.xlarge"] }).length, 1);
        assert.deepEqual(sys({ minSize: 0 }), [`${P}.systemNodes.minSize: 0 is not allowed: must be an integer from 1 to 100 (CoreDNS and the gateway run here)`]);
        assert.deepEqual(sys({ minSize: 3, maxSize: 2 }), [`${P}.systemNodes.maxSize: 2 is not allowed: must be an integer >= minSize (3) and <= 100`]);
        assert.deepEqual(sys({ maxSize: 101 }), [`${P}.systemNodes.maxSize: 101 is not allowed: must be an integer >= minSize (2) and <= 100`]);
        assert.deepEqual(sys({ minSize: 2, maxSize: 3, desiredSize: 4 }), [`${P}.systemNodes.desiredSize: 4 is not allowed: must be an integer from minSize (2) to maxSize (3)`]);
        assert.deepEqual(sys({ minSize: 2, maxSize: 3, desiredSize: 1 }), [`${P}.systemNodes.desiredSize: 1 is not allowed: must be an integer from minSize (2) to maxSize (3)`]);
        assert.deepEqual(accepted({ systemNodes: { instanceTypes: ["m7i.large"], minSize: 1, maxSize: 1 } }).systemNodes, { instanceTypes: ["m7i.large"], minSize: 1, maxSize: 1, desiredSize: 1 });
        assert.deepEqual(accepted({ systemNodes: { minSize: 100, maxSize: 100 } }).systemNodes.desiredSize, 100);
        assert.deepEqual(accepted({}).systemNodes, { instanceTypes: ["m7g.large"], minSize: 2, maxSize: 4, desiredSize: 2 });
    });
});
