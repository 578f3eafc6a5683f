import { strict as assert } from "assert";
import { ConfigError, parseStackConfig } from "../../components/config";
import { isCron } from "../../components/configNodeGroups";
import { GpuNodeGroup, predictiveScalingConfiguration } from "../../components/gpuNodeGroup";
import { baseConfig, declare, ofType, one } from "../helpers";

const chargeback = { team: "ml-research", costCenter: "CC-1001", environment: "dev", owner: "ml@example.com" };
const base = { clusterName: "ai-test", nodeRoleArn: "arn:aws:iam::123456789012:role/node", subnetIds: ["subnet-a"], chargeback, capacity: "spot" as const, instanceTypes: ["g6.xlarge", "g5.xlarge"], minSize: 0, maxSize: 4, desiredSize: 0 };

function problems(group: Record<string, unknown>): string[] {
    try {
        parseStackConfig(baseConfig({ "ai-infra:nodeGroups": { g: { team: "ml-research", capacity: "spot", instanceTypes: ["g6.xlarge", "g5.xlarge"], minSize: 0, maxSize: 4, desiredSize: 0, ...group } } }));
    } catch (e) {
        return (e as ConfigError).problems.map((p) => p.message);
    }
    return [];
}

describe("scheduled and predictive scaling", () => {
    it("puts each schedule on the node group's Auto Scaling group", async () => {
        const resources = await declare(() => new GpuNodeGroup("batch", {
            ...base,
            schedules: [
                { name: "nightly", cron: "0 22 * * *", timezone: "UTC", minSize: 0, maxSize: 4, desiredSize: 4 },
                { name: "morning", cron: "0 6 * * 1-5", timezone: "Europe/Berlin", minSize: 0, maxSize: 4, desiredSize: 0 },
            ],
        }));
        const schedules = ofType(resources, "aws:autoscaling/schedule:Schedule").map((r) => r.inputs);
        assert.deepEqual(schedules.map((s) => [s.autoscalingGroupName, s.scheduledActionName, s.recurrence, s.timeZone, s.minSize, s.maxSize, s.desiredCapacity]), [
            ["eks-batch-mock", "batch-nightly", "0 22 * * *", "UTC", 0, 4, 4],
            ["eks-batch-mock", "batch-morning", "0 6 * * 1-5", "Europe/Berlin", 0, 4, 0],
        ]);
    });

    it("forecasts only by default, on DCGM GPU utilisation of the group", async () => {
        const resources = await declare(() => new GpuNodeGroup("serve", { ...base, predictiveScaling: { metric: "gpu", targetUtilization: 60, mode: "forecastOnly" } }));
        const policy = one(resources, "aws:autoscaling/policy:Policy").inputs as Record<string, any>;
        assert.equal(policy.policyType, "PredictiveScaling");
        assert.equal(policy.autoscalingGroupName, "eks-serve-mock");
        const cfg = policy.predictiveScalingConfiguration;
        assert.equal(cfg.mode, "ForecastOnly");
        assert.equal(cfg.metricSpecification.targetValue, 60);
        const load = cfg.metricSpecification.customizedLoadMetricSpecification.metricDataQueries[0];
        assert.deepEqual(load.metricStat.metric, { namespace: "CWAgent", metricName: "DCGM_FI_DEV_GPU_UTIL", dimensions: [{ name: "AutoScalingGroupName", value: "eks-serve-mock" }] });
        assert.equal(load.metricStat.stat, "Sum");
        assert.equal(cfg.metricSpecification.customizedScalingMetricSpecification.metricDataQueries[0].metricStat.stat, "Average");
    });

    it("acts on the forecast only when asked, and uses the predefined pair for CPU", () => {
        assert.equal(predictiveScalingConfiguration({ metric: "gpu", targetUtilization: 50, mode: "forecastAndScale" }, "asg").mode, "ForecastAndScale");
        assert.deepEqual(predictiveScalingConfiguration({ metric: "cpu", targetUtilization: 40, mode: "forecastOnly" }, "asg").metricSpecification,
            { targetValue: 40, predefinedMetricPairSpecification: { predefinedMetricType: "ASGCPUUtilization" } });
    });

    it("validates schedules and predictive settings in config", () => {
        assert.deepEqual(problems({ schedules: [{ name: "n", cron: "0 22 * * *", minSize: 0, maxSize: 4, desiredSize: 2 }] }), []);
        assert.deepEqual(problems({ schedules: [{ name: "n", cron: "every night", minSize: 0, maxSize: 4 }] }),
            ['ai-infra:nodeGroups.g.schedules[0].cron: "every night" is not allowed: must be a 5-field cron expression like "0 22 * * 1-5" (minute hour day month weekday)']);
        assert.deepEqual(problems({ schedules: [{ name: "n", cron: "0 22 * * *", timezone: "Mars/Olympus", minSize: 0, maxSize: 9 }] }), [
            'ai-infra:nodeGroups.g.schedules[0].timezone: "Mars/Olympus" is not allowed: must be an IANA time zone like Europe/Berlin or UTC',
            "ai-infra:nodeGroups.g.schedules[0].maxSize: 9 is not allowed: must be an integer from minSize (0) to the group's maxSize (4)",
        ]);
        assert.deepEqual(problems({ predictiveScaling: { metric: "tpu", targetUtilization: 0, mode: "always" } }), [
            'ai-infra:nodeGroups.g.predictiveScaling.metric: "tpu" is not allowed: must be one of cpu, gpu',
            "ai-infra:nodeGroups.g.predictiveScaling.targetUtilization: 0 is not allowed: must be a number from 1 to 100 (percent)",
            'ai-infra:nodeGroups.g.predictiveScaling.mode: "always" is not allowed: must be one of forecastOnly, forecastAndScale',
        ]);
        assert.ok(isCron("30 6 * JAN-MAR MON-FRI"));
        assert.ok(!isCron("0 22 * * ?"));
    });
});
