import { strict as assert } from "assert";
import { globMatch, gpuInstanceAllowlist, isGpuNodeGroup, scaleToZeroOutsideProd, spotDiversification, spotOutsideProd } from "../../policies/nodeGroups";
import { nodeGroup, resourceArgs, violations } from "./helpers";

const NG = "aws:eks/nodeGroup:NodeGroup";
const judge = (policy: Parameters<typeof violations>[0], props: Record<string, unknown>, cfg: object = {}, type = NG) => violations(policy, resourceArgs(type, props, cfg, "g"));

describe("node group policies: boundaries and filters", () => {
    it("a group is a GPU group if any listed type is accelerated, or its AMI is a GPU AMI", () => {
        assert.equal(isGpuNodeGroup({ instanceTypes: ["m7i.large", "g5.xlarge"] }), true);
        assert.equal(isGpuNodeGroup({ instanceTypes: ["m7i.large"], amiType: "AL2023_x86_64_STANDARD" }), false);
        for (const amiType of ["AL2023_x86_64_NVIDIA", "BOTTLEROCKET_x86_64_NVIDIA", "AL2_x86_64_GPU", "AL2023_x86_64_NEURON"]) {
            assert.equal(isGpuNodeGroup({ instanceTypes: ["m7i.large"], amiType }), true, amiType);
        }
        assert.equal(isGpuNodeGroup({ instanceTypes: ["m7i.large"], amiType: 3 }), false);
    });

    it("globs are anchored: `g6.*` does not match `xg6.large`, `?` is one character", () => {
        assert.equal(globMatch("g6.*", "g6.xlarge"), true);
        assert.equal(globMatch("g6.*", "g6e.xlarge"), false, "the dot is literal");
        assert.equal(globMatch("g6.*", "xg6.xlarge"), false);
        assert.equal(globMatch("g?.xlarge", "g5.xlarge"), true);
        assert.equal(globMatch("g?.xlarge", "g5.xlarge2"), false);
        assert.equal(globMatch("g?.xlarge", "g.xlarge"), false);
    });

    it("spot-diversification: at least minInstanceTypes (2 by default) types, at n - 1 / n", async () => {
        assert.deepEqual(await judge(spotDiversification, nodeGroup("a", { instanceTypes: ["g5.xlarge"] })), ['aws:eks/nodeGroup:NodeGroup "g" lists 1 instance type (g5.xlarge); spot groups need at least 2']);
        assert.deepEqual(await judge(spotDiversification, nodeGroup("a", { instanceTypes: ["g5.xlarge", "g6.xlarge"] })), []);
        assert.deepEqual(await judge(spotDiversification, nodeGroup("a", { instanceTypes: ["g5.xlarge", "g6.xlarge"] }), { minInstanceTypes: 3 }),
            ['aws:eks/nodeGroup:NodeGroup "g" lists 2 instance types (g5.xlarge, g6.xlarge); spot groups need at least 3']);
        assert.deepEqual(await judge(spotDiversification, nodeGroup("a", { instanceTypes: [] }), { minInstanceTypes: 1 }), ['aws:eks/nodeGroup:NodeGroup "g" lists 0 instance types (none); spot groups need at least 1']);
        assert.deepEqual(await judge(spotDiversification, nodeGroup("a", { instanceTypes: ["g5.xlarge"] }), { minInstanceTypes: 1 }), []);
        assert.deepEqual(await judge(spotDiversification, nodeGroup("a", { instanceTypes: ["g5.xlarge"], capacityType: "ON_DEMAND" })), [], "on-demand groups need no diversity");
        assert.deepEqual(await judge(spotDiversification, nodeGroup("a", { instanceTypes: ["g5.xlarge"] }), {}, "aws:ec2/instance:Instance"), []);
    });

    it("spot and scale-to-zero outside prod: GPU node groups only, never in prod, environment named", async () => {
        const onDemand = nodeGroup("a", { capacityType: "ON_DEMAND", scalingConfig: { minSize: 1, maxSize: 2, desiredSize: 1 } });
        assert.deepEqual(await judge(spotOutsideProd, onDemand, { environment: "staging" }), ['aws:eks/nodeGroup:NodeGroup "g" capacityType is "ON_DEMAND"; GPU node groups in staging must use SPOT']);
        const { capacityType: _, ...noCapacity } = onDemand;
        assert.deepEqual(await judge(spotOutsideProd, noCapacity, {}), ['aws:eks/nodeGroup:NodeGroup "g" capacityType is "ON_DEMAND"; GPU node groups in this environment must use SPOT']);
        assert.deepEqual(await judge(scaleToZeroOutsideProd, onDemand, { environment: "dev" }), ['aws:eks/nodeGroup:NodeGroup "g" scalingConfig.minSize is 1; GPU node groups in dev must scale to 0']);
        assert.deepEqual(await judge(scaleToZeroOutsideProd, { ...onDemand, scalingConfig: {} }, { environment: "dev" }), ['aws:eks/nodeGroup:NodeGroup "g" scalingConfig.minSize is null; GPU node groups in dev must scale to 0']);
        for (const policy of [spotOutsideProd, scaleToZeroOutsideProd]) {
            assert.deepEqual(await judge(policy, onDemand, { environment: "prod" }), []);
            assert.deepEqual(await judge(policy, { ...onDemand, instanceTypes: ["m7i.large"], amiType: "AL2023_x86_64_STANDARD" }, { environment: "dev" }), []);
            assert.deepEqual(await judge(policy, onDemand, { environment: "dev" }, "aws:ec2/instance:Instance"), []);
        }
    });

    it("gpu-instance-allowlist: accelerated types outside the configured globs fail, general-purpose types are ignored", async () => {
        const cfg = { allowedInstanceTypes: ["g6.*"] };
        assert.deepEqual(await judge(gpuInstanceAllowlist, nodeGroup("a", { instanceTypes: ["g6.2xlarge", "m7i.large"] }), cfg), []);
        assert.deepEqual(await judge(gpuInstanceAllowlist, nodeGroup("a", { instanceTypes: ["g6.2xlarge", "p5.48xlarge"] }), cfg),
            ['aws:eks/nodeGroup:NodeGroup "g" GPU instance type p5.48xlarge is not allowed here; allowed: g6.* (gpu-instance-allowlist.allowedInstanceTypes in the policy pack config)']);
        assert.deepEqual(await judge(gpuInstanceAllowlist, { instanceType: "g9.mega" }, cfg, "aws:ec2/instance:Instance"),
            ['aws:ec2/instance:Instance "g" GPU instance type g9.mega (not in the catalog) is not allowed here; allowed: g6.* (gpu-instance-allowlist.allowedInstanceTypes in the policy pack config)']);
        assert.equal((await judge(gpuInstanceAllowlist, nodeGroup("a", { instanceTypes: ["p5.48xlarge"] }))).length, 1, "default allowlist");
        assert.deepEqual(await judge(gpuInstanceAllowlist, nodeGroup("a", { instanceTypes: ["g5.xlarge"] })), []);
        const asg = { mixedInstancesPolicy: { launchTemplate: { overrides: [{ instanceType: "g6.xlarge" }, { instanceType: "p4d.24xlarge" }, {}] } } };
        assert.equal((await judge(gpuInstanceAllowlist, asg, cfg, "aws:autoscaling/group:Group")).length, 1);
    });
});
