import { strict as assert } from "assert";
import { ConfigError, parseStackConfig } from "../../components/config";
import { isCron } from "../../components/configNodeGroups";
import { GpuNodeGroup, gpuNodeGroupSpec, predictiveScalingConfiguration, scheduleOwnedFields } from "../../components/gpuNodeGroup";
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
    it("puts each schedule on the node group's Auto Scaling group, raising minSize to keep nodes warm", async () => {
        const resources = await declare(() => new GpuNodeGroup("batch", {
            ...base,
            schedules: [
                { name: "nightly", cron: "0 22 * * *", timezone: "UTC", minSize: 4, maxSize: 4, desiredSize: 4 },
                { name: "morning", cron: "0 6 * * 1-5", timezone: "Europe/Berlin", minSize: 0, maxSize: 4, desiredSize: 0 },
            ],
        }));
        const schedules = ofType(resources, "aws:autoscaling/schedule:Schedule").map((r) => r.inputs);
        assert.deepEqual(schedules.map((s) => [s.autoscalingGroupName, s.scheduledActionName, s.recurrence, s.timeZone, s.minSize, s.maxSize, s.desiredCapacity]), [
            ["eks-batch-mock", "batch-nightly", "0 22 * * *", "UTC", 4, 4, 4],
            ["eks-batch-mock", "batch-morning", "0 6 * * 1-5", "Europe/Berlin", 0, 4, 0],
        ]);
        // The schedules change minSize (4 != 0) but never maxSize (always 4): Pulumi ignores exactly desired and min.
        assert.deepEqual(one(resources, "aws:eks/nodeGroup:NodeGroup").ignoreChanges, ["scalingConfig.desiredSize", "scalingConfig.minSize"]);
    });

    it("ignores exactly the fields schedules own", () => {
        const s = (minSize: number, maxSize: number) => ({ name: "s", cron: "0 0 * * *", timezone: "UTC", minSize, maxSize, desiredSize: minSize });
        assert.deepEqual(scheduleOwnedFields({ minSize: 0, maxSize: 4 }, []), ["desiredSize"]);
        assert.deepEqual(scheduleOwnedFields({ minSize: 0, maxSize: 4 }, [s(0, 4)]), ["desiredSize"]);
        assert.deepEqual(scheduleOwnedFields({ minSize: 0, maxSize: 4 }, [s(0, 0), s(0, 4)]), ["desiredSize", "maxSize"]);
        assert.deepEqual(scheduleOwnedFields({ minSize: 0, maxSize: 4 }, [s(2, 3)]), ["desiredSize", "minSize", "maxSize"]);
    });

    it("refuses a schedule whose desiredSize would be scaled back, or outside the group's bounds", () => {
        assert.throws(() => gpuNodeGroupSpec("b", { ...base, schedules: [{ name: "n", cron: "0 22 * * *", timezone: "UTC", minSize: 0, maxSize: 4, desiredSize: 4 }] }),
            /schedules\.n: desiredSize 4 is not allowed: must equal minSize \(0\)/);
        assert.throws(() => gpuNodeGroupSpec("b", { ...base, schedules: [{ name: "n", cron: "0 22 * * *", timezone: "UTC", minSize: 5, maxSize: 5, desiredSize: 5 }] }),
            /schedules\.n: minSize 5 \/ maxSize 5 is not allowed/);
    });

    it("forecasts only, from the group's CPU (a series EC2 publishes per Auto Scaling group)", async () => {
        const resources = await declare(() => new GpuNodeGroup("serve", { ...base, predictiveScaling: { metric: "cpu", targetUtilization: 40, mode: "forecastOnly" } }));
        const policy = one(resources, "aws:autoscaling/policy:Policy").inputs as Record<string, any>;
        assert.equal(policy.policyType, "PredictiveScaling");
        assert.equal(policy.autoscalingGroupName, "eks-serve-mock");
        assert.deepEqual(policy.predictiveScalingConfiguration, { mode: "ForecastOnly", metricSpecification: { targetValue: 40, predefinedMetricPairSpecification: { predefinedMetricType: "ASGCPUUtilization" } } });
        assert.deepEqual(predictiveScalingConfiguration({ metric: "cpu", targetUtilization: 50, mode: "forecastOnly" }).mode, "ForecastOnly");
    });

    it("validates schedules and predictive settings in config", () => {
        assert.deepEqual(problems({ schedules: [{ name: "n", cron: "0 22 * * *", minSize: 2, maxSize: 4, desiredSize: 2 }] }), []);
        assert.deepEqual(problems({ schedules: [{ name: "n", cron: "0 22 * * *", minSize: 2, maxSize: 4 }] }), [], "desiredSize defaults to minSize");
        assert.deepEqual(problems({ schedules: [{ name: "n", cron: "0 22 * * *", minSize: 0, maxSize: 4, desiredSize: 2 }] }), [
            "ai-infra:nodeGroups.g.schedules[0].desiredSize: 2 is not allowed: must equal the schedule's minSize (0): the Cluster Autoscaler removes nodes above minSize within minutes, so to keep nodes warm raise minSize",
        ]);
        assert.deepEqual(problems({ schedules: [{ name: "n", cron: "0 22 * * *", minSize: 5, maxSize: 5 }] }), [
            "ai-infra:nodeGroups.g.schedules[0].minSize: 5 is not allowed: must be an integer from 0 to the group's maxSize (4)",
            "ai-infra:nodeGroups.g.schedules[0].maxSize: 5 is not allowed: must be an integer from minSize (0) to the group's maxSize (4)",
        ]);
        assert.deepEqual(problems({ schedules: [{ name: "n", cron: "every night", minSize: 0, maxSize: 4 }] }),
            ['ai-infra:nodeGroups.g.schedules[0].cron: "every night" is not allowed: must be a 5-field cron expression like "0 22 * * 1-5" (minute hour day month weekday)']);
        assert.deepEqual(problems({ schedules: [{ name: "n", cron: "0 22 * * *", timezone: "Mars/Olympus", minSize: 0, maxSize: 9 }] }), [
            'ai-infra:nodeGroups.g.schedules[0].timezone: "Mars/Olympus" is not allowed: must be an IANA time zone like Europe/Berlin or UTC',
            "ai-infra:nodeGroups.g.schedules[0].maxSize: 9 is not allowed: must be an integer from minSize (0) to the group's maxSize (4)",
        ]);
        assert.deepEqual(problems({ predictiveScaling: { metric: "tpu", targetUtilization: 0, mode: "always" } }), [
            'ai-infra:nodeGroups.g.predictiveScaling.metric: "tpu" is not allowed: must be one of cpu',
            "ai-infra:nodeGroups.g.predictiveScaling.targetUtilization: 0 is not allowed: must be a number from 1 to 100 (percent)",
            'ai-infra:nodeGroups.g.predictiveScaling.mode: "always" is not allowed: must be one of forecastOnly',
        ]);
        assert.deepEqual(problems({ predictiveScaling: { metric: "gpu", mode: "forecastAndScale" } }), [
            'ai-infra:nodeGroups.g.predictiveScaling.metric: "gpu" is not allowed: must be cpu: no installed component publishes GPU utilisation per Auto Scaling group (Container Insights has no group dimension), so a GPU forecast would have no data',
            'ai-infra:nodeGroups.g.predictiveScaling.mode: "forecastAndScale" is not allowed: must be forecastOnly: the Cluster Autoscaler owns desired capacity and scales a forecast\'s nodes back in after scale-down-unneeded-time; use schedules (minSize) to keep nodes warm',
        ]);
        assert.ok(isCron("30 6 * JAN-MAR MON-FRI"));
        assert.ok(!isCron("0 22 * * ?"));
    });
});
