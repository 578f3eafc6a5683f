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

    it("is installed with a created cluster and left to an existing one's owners", async () => {
        const created = await declare(() => new Platform("ai", { config: parseStackConfig(baseConfig()) }));
        const releases = ofType(created, "kubernetes:helm.sh/v3:Release").map((r) => r.inputs.chart);
        assert.ok(releases.includes("nvidia-device-plugin") && releases.includes("cluster-autoscaler"));
        assert.equal(one(created, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "ai-gpu-scheduling-autoscaler").inputs.serviceAccount, "cluster-autoscaler");
        const existing = await declare(() => new Platform("ai", { config: parseStackConfig(baseConfig({ "ai-infra:cluster": { name: "shared", create: false } })) }));
        assert.ok(!ofType(existing, "kubernetes:helm.sh/v3:Release").some((r) => r.inputs.chart === "cluster-autoscaler"));
    });
});
