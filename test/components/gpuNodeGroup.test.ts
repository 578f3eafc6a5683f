import { strict as assert } from "assert";
import { GpuNodeGroup, GpuNodeGroupArgs, gpuNodeGroupSpec } from "../../components/gpuNodeGroup";
import { declare, one, ofType } from "../helpers";

const chargeback = { team: "ml-research", costCenter: "CC-1001", environment: "dev", owner: "ml@example.com" };
const args = (over: Partial<GpuNodeGroupArgs> = {}): GpuNodeGroupArgs => ({
    clusterName: "ai-test", nodeRoleArn: "arn:aws:iam::123456789012:role/node", subnetIds: ["subnet-a", "subnet-b"],
    chargeback, capacity: "spot", instanceTypes: ["g6.xlarge", "g5.xlarge"], minSize: 0, maxSize: 4, desiredSize: 0, ...over,
});

const CHARGEBACK_TAGS = { team: "ml-research", "cost-center": "CC-1001", environment: "dev", owner: "ml@example.com", "managed-by": "pulumi" };

describe("GpuNodeGroup", () => {
    it("declares a spot group with the NVIDIA AL2023 AMI, GPU taint, labels and scaling", async () => {
        const resources = await declare(() => new GpuNodeGroup("llm-spot", args()));
        const ng = one(resources, "aws:eks/nodeGroup:NodeGroup").inputs;
        assert.equal(ng.capacityType, "SPOT");
        assert.equal(ng.amiType, "AL2023_x86_64_NVIDIA");
        assert.deepEqual(ng.instanceTypes, ["g6.xlarge", "g5.xlarge"]);
        assert.deepEqual(ng.scalingConfig, { minSize: 0, maxSize: 4, desiredSize: 0 });
        assert.deepEqual(ng.taints, [{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }]);
        assert.deepEqual(ng.updateConfig, { maxUnavailable: 1 });
        const labels = ng.labels as Record<string, string>;
        assert.equal(labels["ai-infra/team"], "ml-research");
        assert.equal(labels["ai-infra/capacity"], "spot");
        assert.equal(labels["ai-infra/gpu-count"], "1");
        // Usable GiB of the smaller GPU (L4 and A10G: 22888 MiB), not the marketing 24 GB.
        assert.equal(labels["ai-infra/gpu-memory-gib"], "22.35");
        assert.equal(labels["k8s.amazonaws.com/accelerator"], "nvidia-a10g_nvidia-l4");
        // EKS refuses node-group labels in the kubelet's restricted domains; nodes with them never join.
        for (const k of Object.keys(labels)) assert.ok(!/(^|\.)(kubernetes\.io|k8s\.io)\/|^eks\.amazonaws\.com\//.test(k), k);
        assert.deepEqual(one(resources, "aws:eks/nodeGroup:NodeGroup").ignoreChanges, ["scalingConfig.desiredSize"]);
    });

    it("declares an on-demand group", async () => {
        const resources = await declare(() => new GpuNodeGroup("base", args({ capacity: "on-demand", instanceTypes: ["g6.2xlarge"], minSize: 2, desiredSize: 2 })));
        const ng = one(resources, "aws:eks/nodeGroup:NodeGroup").inputs;
        assert.equal(ng.capacityType, "ON_DEMAND");
        assert.equal((ng.labels as Record<string, string>)["ai-infra/capacity"], "on-demand");
    });

    it("chooses the ARM NVIDIA AMI for Graviton GPU types", async () => {
        const resources = await declare(() => new GpuNodeGroup("arm", args({ instanceTypes: ["g5g.xlarge"] })));
        assert.equal(one(resources, "aws:eks/nodeGroup:NodeGroup").inputs.amiType, "AL2023_ARM_64_NVIDIA");
    });

    it("never picks the end-of-support AL2 GPU AMI", () => {
        for (const t of ["g4dn.xlarge", "g5.xlarge", "g6e.xlarge", "p5.48xlarge", "g5g.2xlarge"]) {
            assert.notEqual(gpuNodeGroupSpec("x", args({ instanceTypes: [t] })).amiType, "AL2_x86_64_GPU");
        }
    });

    it("rejects mixed GPU counts, unknown types and bad sizes before declaring anything", () => {
        assert.throws(() => gpuNodeGroupSpec("mixed", args({ instanceTypes: ["g5.xlarge", "g5.12xlarge"] })), /GpuNodeGroup mixed: instanceTypes: all instance types of one group must have the same GPU count/);
        assert.throws(() => gpuNodeGroupSpec("mixed", args({ instanceTypes: ["g5.xlarge", "g5g.xlarge"] })), /same GPU count, vCPU, memory and architecture/);
        assert.throws(() => gpuNodeGroupSpec("u", args({ instanceTypes: ["m7i.large"] })), /"m7i.large" is not allowed: must be a GPU instance type of the catalog/);
        assert.throws(() => gpuNodeGroupSpec("s", args({ minSize: 3, maxSize: 2, desiredSize: 2 })), /maxSize: 2 is not allowed: must be an integer >= minSize \(3\)/);
        assert.throws(() => gpuNodeGroupSpec("s", args({ desiredSize: 9 })), /desiredSize: 9 is not allowed: must be an integer from minSize \(0\) to maxSize \(4\)/);
    });

    it("tags the group and propagates chargeback tags to instances, volumes and ENIs", async () => {
        const resources = await declare(() => new GpuNodeGroup("llm-spot", args()));
        const tags = one(resources, "aws:eks/nodeGroup:NodeGroup").inputs.tags as Record<string, string>;
        for (const [k, v] of Object.entries(CHARGEBACK_TAGS)) assert.equal(tags[k], v, k);
        assert.equal(tags["k8s.io/cluster-autoscaler/enabled"], "true");
        assert.equal(tags["k8s.io/cluster-autoscaler/ai-test"], "owned");
        assert.equal(tags["k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu"], "true:NoSchedule");
        assert.equal(tags["k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"], "1");
        assert.equal(tags["k8s.io/cluster-autoscaler/node-template/label/ai-infra/capacity"], "spot");

        const lt = one(resources, "aws:ec2/launchTemplate:LaunchTemplate").inputs;
        const specs = lt.tagSpecifications as { resourceType: string; tags: Record<string, string> }[];
        assert.deepEqual(specs.map((s) => s.resourceType), ["instance", "volume", "network-interface"]);
        for (const s of specs) assert.deepEqual(s.tags, CHARGEBACK_TAGS);
    });

    it("requires IMDSv2 with hop limit 2 and an encrypted gp3 root volume", async () => {
        const resources = await declare(() => new GpuNodeGroup("llm-spot", args({ diskSizeGiB: 300 })));
        const lt = one(resources, "aws:ec2/launchTemplate:LaunchTemplate").inputs;
        assert.deepEqual(lt.metadataOptions, { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2, instanceMetadataTags: "disabled" });
        const [bdm] = lt.blockDeviceMappings as { deviceName: string; ebs: Record<string, unknown> }[];
        assert.equal(bdm.deviceName, "/dev/xvda");
        assert.deepEqual(bdm.ebs, { volumeSize: 300, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" });
        assert.equal(lt.imageId, undefined, "EKS picks and patches the AMI through amiType");
        const ng = one(resources, "aws:eks/nodeGroup:NodeGroup");
        assert.deepEqual(ng.inputs.launchTemplate, { id: "llm-spot-id", version: "1" });
    });

    it("copies the node-template tags onto the Auto Scaling group for scale-from-zero", async () => {
        const resources = await declare(() => new GpuNodeGroup("llm-spot", args()));
        const asgTags = ofType(resources, "aws:autoscaling/tag:Tag").map((r) => r.inputs as { autoscalingGroupName: string; tag: { key: string; value: string; propagateAtLaunch: boolean } });
        assert.ok(asgTags.length >= 5);
        for (const t of asgTags) {
            assert.equal(t.autoscalingGroupName, "eks-llm-spot-mock");
            assert.ok(t.tag.key.startsWith("k8s.io/cluster-autoscaler/node-template/"), t.tag.key);
            assert.equal(t.tag.propagateAtLaunch, false);
        }
        assert.ok(asgTags.some((t) => t.tag.key === "k8s.io/cluster-autoscaler/node-template/label/ai-infra/team" && t.tag.value === "ml-research"));
    });

    it("leaves the ASG alone when told the autoscaler reads the node group from EKS, which carries everything it reads", async () => {
        const resources = await declare(() => new GpuNodeGroup("llm", args({ instanceTypes: ["g6e.xlarge"], diskSizeGiB: 300, autoscalerTagsOnAsg: false })));
        assert.deepEqual(ofType(resources, "aws:autoscaling/tag:Tag"), []);
        // What DescribeNodegroup returns and the autoscaler uses at zero: labels, taints, and node-template
        // resource tags (extractAllocatableResourcesFromTags on the node group's tags).
        const ng = one(resources, "aws:eks/nodeGroup:NodeGroup").inputs as { labels: Record<string, string>; taints: unknown[]; tags: Record<string, string> };
        assert.equal(ng.labels["k8s.amazonaws.com/accelerator"], "nvidia-l40s");
        assert.equal(ng.labels["ai-infra/team"], "ml-research");
        assert.deepEqual(ng.taints, [{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }]);
        assert.equal(ng.tags["k8s.io/cluster-autoscaler/node-template/resources/ephemeral-storage"], "270Gi");
        assert.equal(ng.tags["k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"], "1");
    });

    it("tells the autoscaler a group at zero has GPUs and ephemeral storage (accelerator label, storage from the root volume)", async () => {
        const resources = await declare(() => new GpuNodeGroup("llm", args({ instanceTypes: ["g6e.xlarge"], diskSizeGiB: 300 })));
        assert.equal((one(resources, "aws:eks/nodeGroup:NodeGroup").inputs.labels as Record<string, string>)["k8s.amazonaws.com/accelerator"], "nvidia-l40s");
        const asgTags = new Map(ofType(resources, "aws:autoscaling/tag:Tag").map((r) => {
            const t = (r.inputs as { tag: { key: string; value: string } }).tag;
            return [t.key, t.value];
        }));
        assert.equal(asgTags.get("k8s.io/cluster-autoscaler/node-template/label/k8s.amazonaws.com/accelerator"), "nvidia-l40s");
        // 300 GiB less the kubelet's 10 % nodefs eviction threshold.
        assert.equal(asgTags.get("k8s.io/cluster-autoscaler/node-template/resources/ephemeral-storage"), "270Gi");
        assert.equal(asgTags.get("k8s.io/cluster-autoscaler/node-template/label/ai-infra/gpu-memory-gib"), "44.7");
        assert.equal(gpuNodeGroupSpec("d", args()).autoscalerTemplateTags["k8s.io/cluster-autoscaler/node-template/resources/ephemeral-storage"], "180Gi", "default 200 GiB disk");
    });

    it("parents every child to the component", async () => {
        const resources = await declare(() => new GpuNodeGroup("llm-spot", args()));
        const component = one(resources, "ai-infra:nodegroup:GpuNodeGroup");
        for (const r of resources.filter((x) => x.custom)) assert.equal(r.parent, component.urn, r.urn);
    });
});
