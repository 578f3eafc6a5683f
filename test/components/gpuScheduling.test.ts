import { strict as assert } from "assert";
import { parseStackConfig } from "../../components/config";
import { clusterAutoscalerPolicy, clusterAutoscalerValues, devicePluginValues } from "../../components/gpuScheduling";
import { Platform } from "../../components/platform";
import { baseConfig, declare, one, ofType } from "../helpers";

describe("GPU scheduling", () => {
    it("installs the NVIDIA device plugin on GPU nodes only, tolerating their taint", () => {
        const v = devicePluginValues() as Record<string, any>;
        assert.deepEqual(v.tolerations, [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
        assert.deepEqual(v.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions, [{ key: "ai-infra/gpu-count", operator: "Exists" }]);
    });

    it("runs a Cluster Autoscaler matching the cluster version, limited to this cluster's groups", () => {
        const v = clusterAutoscalerValues("ai-dev", "us-east-1", "1.33") as Record<string, any>;
        assert.deepEqual([v.autoDiscovery.clusterName, v.awsRegion, v.image.tag, v.extraArgs.expander], ["ai-dev", "us-east-1", "v1.33.6", "least-waste"]);
        const policy = clusterAutoscalerPolicy("ai-dev") as { Statement: { Action: string[]; Condition?: Record<string, Record<string, string>> }[] };
        assert.deepEqual(policy.Statement[1].Condition, { StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/ai-dev": "owned" } });
        assert.ok(policy.Statement[1].Action.includes("autoscaling:SetDesiredCapacity"));
    });

    it("is installed with a created cluster; on an existing one each part is an explicit choice", async () => {
        const created = await declare(() => new Platform("ai", { config: parseStackConfig(baseConfig()) }));
        const releases = ofType(created, "kubernetes:helm.sh/v3:Release").map((r) => r.inputs.chart);
        assert.ok(releases.includes("nvidia-device-plugin") && releases.includes("cluster-autoscaler"));
        assert.equal(one(created, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "ai-gpu-scheduling-autoscaler").inputs.serviceAccount, "cluster-autoscaler");
        const existing = (devicePlugin: string, clusterAutoscaler: string) => baseConfig({
            "ai-infra:cluster": { name: "shared", version: "1.34", create: false, subnetIds: ["subnet-a", "subnet-b"], devicePlugin, clusterAutoscaler },
        });
        const present = await declare(() => new Platform("ai", { config: parseStackConfig(existing("present", "present")) }));
        assert.deepEqual(ofType(present, "kubernetes:helm.sh/v3:Release").filter((r) => ["cluster-autoscaler", "nvidia-device-plugin"].includes(String(r.inputs.chart))), []);
        const installed = await declare(() => new Platform("ai", { config: parseStackConfig(existing("present", "install")) }));
        const ca = ofType(installed, "kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "cluster-autoscaler")!;
        assert.equal(ca.inputs.version, "9.53.0", "the chart of the existing cluster's declared minor");
        assert.equal((ca.inputs.values as Record<string, unknown>).nodeSelector, undefined, "an existing cluster has no ai-infra system nodes");
        assert.ok(!ofType(installed, "kubernetes:helm.sh/v3:Release").some((r) => r.inputs.chart === "nvidia-device-plugin"));
        assert.deepEqual(ofType(installed, "aws:eks/nodeGroup:NodeGroup").map((g) => g.inputs.subnetIds), [["subnet-a", "subnet-b"]]);
    });

    it("copies node-template tags onto the Auto Scaling groups only for an autoscaler it does not install", async () => {
        // Ours reads the node group from EKS (aws_manager.go:307-339 at cluster-autoscaler-1.35.2): it must be allowed to.
        const policy = clusterAutoscalerPolicy("ai-dev") as { Statement: { Action: string[] }[] };
        assert.ok(policy.Statement[0].Action.includes("eks:DescribeNodegroup"));
        const created = await declare(() => new Platform("ai", { config: parseStackConfig(baseConfig()) }));
        assert.ok(ofType(created, "kubernetes:helm.sh/v3:Release").some((r) => r.inputs.chart === "cluster-autoscaler"));
        assert.deepEqual(ofType(created, "aws:autoscaling/tag:Tag"), []);
        const present = await declare(() => new Platform("ai", { config: parseStackConfig(baseConfig({
            "ai-infra:cluster": { name: "shared", version: "1.34", create: false, subnetIds: ["subnet-a"], devicePlugin: "present", clusterAutoscaler: "present" },
        })) }));
        const groups = ofType(present, "aws:eks/nodeGroup:NodeGroup").length;
        assert.ok(groups > 0);
        assert.equal(ofType(present, "aws:autoscaling/tag:Tag").length, groups * 9, "labels, taint and resources of every group");
    });
});
