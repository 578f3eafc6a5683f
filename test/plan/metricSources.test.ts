import { strict as assert } from "assert";
import { metricReads, RenderedResource, unproducedMetrics } from "../../plan/metricSources";
import { runPlan } from "../../plan/plan";

const addon: RenderedResource = { urn: "addon", type: "aws:eks/addon:Addon", inputs: { addonName: "amazon-cloudwatch-observability", clusterName: "ai-prod" } };
const cache: RenderedResource = { urn: "cache", type: "aws:elasticache/replicationGroup:ReplicationGroup", inputs: { replicationGroupId: "ai-prod-ratelimit" } };
const nodeGroup: RenderedResource = { urn: "ng", type: "aws:eks/nodeGroup:NodeGroup", inputs: { nodeGroupName: "serve" } };
const alarm = (urn: string, namespace: string, metricName: string, dimensions: Record<string, string>): RenderedResource =>
    ({ urn, type: "aws:cloudwatch/metricAlarm:MetricAlarm", inputs: { namespace, metricName, dimensions } });
const query = (namespace: string, metricName: string, dimensions: { name: string; value: string }[]) => ({ id: "q", metricStat: { metric: { namespace, metricName, dimensions }, stat: "Average" }, returnData: true });

describe("metric sources: every metric an alarm or scaling policy reads is published by something installed", () => {
    for (const stack of ["dev", "staging", "prod"]) {
        it(`holds for the bundled ${stack} stack`, async () => {
            const plan = await runPlan({ stack });
            const reads = metricReads(plan.resources);
            assert.ok(reads.length >= 10, `${stack} reads ${reads.length} metrics`);
            assert.deepEqual(unproducedMetrics(plan.resources), []);
            if (stack === "prod") assert.ok(reads.some((r) => r.urn.includes("aws:autoscaling/policy:Policy") && r.namespace === "AWS/EC2" && r.metricName === "CPUUtilization"), "the predictive policy's series is checked");
        });
    }

    it("flags the GPU forecast the review found: CWAgent DCGM by Auto Scaling group, published by nothing", () => {
        const dims = [{ name: "AutoScalingGroupName", value: "eks-serve" }];
        const policy: RenderedResource = {
            urn: "policy", type: "aws:autoscaling/policy:Policy",
            inputs: { autoscalingGroupName: "eks-serve", policyType: "PredictiveScaling", predictiveScalingConfiguration: { metricSpecification: {
                targetValue: 60,
                customizedLoadMetricSpecification: { metricDataQueries: [query("CWAgent", "DCGM_FI_DEV_GPU_UTIL", dims)] },
                customizedScalingMetricSpecification: { metricDataQueries: [query("CWAgent", "DCGM_FI_DEV_GPU_UTIL", dims)] },
            } } },
        };
        const gaps = unproducedMetrics([addon, nodeGroup, policy]);
        assert.equal(gaps.length, 2);
        assert.deepEqual(gaps.map((g) => g.reason), ["nothing the stack installs publishes to CWAgent", "nothing the stack installs publishes to CWAgent"]);
    });

    it("counts a log metric filter as the producer of exactly its metric, namespace and dimensions", () => {
        const filter: RenderedResource = { urn: "filter", type: "aws:cloudwatch/logMetricFilter:LogMetricFilter", inputs: { metricTransformation: { namespace: "ai-infra/ai-dev", name: "RateLimitStoreConnectionErrors", value: "1" } } };
        assert.deepEqual(unproducedMetrics([filter, alarm("a", "ai-infra/ai-dev", "RateLimitStoreConnectionErrors", {})]), []);
        assert.equal(unproducedMetrics([filter, alarm("a", "ai-infra/ai-dev", "OtherMetric", {})]).length, 1);
        assert.equal(unproducedMetrics([filter, alarm("a", "ai-infra/ai-prod", "RateLimitStoreConnectionErrors", {})]).length, 1);
        assert.equal(unproducedMetrics([filter, alarm("a", "ai-infra/ai-dev", "RateLimitStoreConnectionErrors", { Pod: "x" })]).length, 1);
    });

    it("flags Container Insights read by Auto Scaling group, for another cluster, or without the add-on", () => {
        assert.deepEqual(unproducedMetrics([addon, alarm("a", "ContainerInsights", "node_gpu_utilization", { ClusterName: "ai-prod" })]), []);
        assert.match(unproducedMetrics([addon, alarm("a", "ContainerInsights", "node_gpu_utilization", { AutoScalingGroupName: "eks-serve" })])[0].reason,
            /ContainerInsights\/node_gpu_utilization is published with dimensions \[\{ClusterName\}, \{ClusterName,InstanceId,NodeName\}\], not \{AutoScalingGroupName\}/);
        assert.match(unproducedMetrics([addon, alarm("a", "ContainerInsights", "node_cpu_utilization", { ClusterName: "other" })])[0].reason, /no installed producer publishes ContainerInsights\/node_cpu_utilization for \{"ClusterName":"other"\}/);
        assert.match(unproducedMetrics([addon, alarm("a", "ContainerInsights", "gpu_temperature", { ClusterName: "ai-prod" })])[0].reason, /no installed producer of ContainerInsights publishes gpu_temperature/);
        assert.match(unproducedMetrics([alarm("a", "ContainerInsights", "node_cpu_utilization", { ClusterName: "ai-prod" })])[0].reason, /nothing the stack installs publishes to ContainerInsights/);
    });

    it("checks ElastiCache member ids and Auto Scaling CPU against what is declared", () => {
        assert.deepEqual(unproducedMetrics([cache, alarm("a", "AWS/ElastiCache", "Evictions", { CacheClusterId: "ai-prod-ratelimit-002" })]), []);
        assert.equal(unproducedMetrics([cache, alarm("a", "AWS/ElastiCache", "Evictions", { CacheClusterId: "other-001" })]).length, 1);
        const cpuPolicy: RenderedResource = { urn: "p", type: "aws:autoscaling/policy:Policy", inputs: { autoscalingGroupName: "eks-serve", predictiveScalingConfiguration: { metricSpecification: { predefinedMetricPairSpecification: { predefinedMetricType: "ASGCPUUtilization" } } } } };
        assert.deepEqual(unproducedMetrics([nodeGroup, cpuPolicy]), []);
        assert.equal(unproducedMetrics([cpuPolicy]).length, 1, "no node group, no Auto Scaling group publishing CPU");
        const albPolicy: RenderedResource = { urn: "p", type: "aws:autoscaling/policy:Policy", inputs: { targetTrackingConfiguration: { predefinedMetricSpecification: { predefinedMetricType: "ALBRequestCountPerTarget" } } } };
        assert.equal(unproducedMetrics([nodeGroup, albPolicy]).length, 1);
    });
});
