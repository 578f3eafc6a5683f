import { strict as assert } from "assert";
import { HOURS_PER_MONTH, roundCents, UNIT_PRICES } from "../../components/catalog";
import { alarmMetricCount, CostResource, estimateCost } from "../../lib/cost";

const tags = { team: "a" };
const res = (type: string, props: Record<string, unknown>, name = "r", over: Partial<CostResource> = {}): CostResource =>
    ({ urn: `urn:pulumi:dev::ai-infra::${type}::${name}`, type, name, props, ...over });
const ASOF = new Date("2026-11-01T00:00:00Z");
const lines = (resources: CostResource[], region = "us-east-1") => estimateCost(resources, { region, asOf: ASOF }).lines;
const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - roundCents(expected)) <= 0.01, `${actual} vs ${roundCents(expected)}`);

describe("cost pricers: alarms, control plane, schedules, labels", () => {
    it("an alarm costs one standard alarm per metric it reads: plain, metric math, Metrics Insights", () => {
        assert.equal(alarmMetricCount({}), 1);
        assert.equal(alarmMetricCount({ metricQueries: "x" }), 1);
        assert.equal(alarmMetricCount({ metricQueries: [] }), 1);
        const metric = (id: string) => ({ id, metric: { metricName: "m", namespace: "n", period: 60, stat: "Sum" } });
        assert.equal(alarmMetricCount({ metricQueries: [metric("a"), metric("b"), { id: "e", expression: "a + b", returnData: true }] }), 2);
        assert.equal(alarmMetricCount({ metricQueries: [{ id: "q", expression: "  select SUM(x) FROM y" }] }), 1);
        assert.equal(alarmMetricCount({ metricQueries: [{ id: "q", expression: "SELECT AVG(x) FROM y" }, { id: "q2", expression: "SELECT MAX(x) FROM y" }] }), 2);
        assert.equal(alarmMetricCount({ metricQueries: [{ id: "e", expression: "m1 * 2 -- SELECT" }] }), 1, "an expression that is not a query reads no metric: still billed as one alarm");
        assert.equal(alarmMetricCount({ metricQueries: [{ id: "e", expression: "xSELECT" }, { id: "s", expression: "SELECTED" }] }), 1);
        assert.equal(alarmMetricCount({ metricQueries: [{ id: "e" }, { id: "s", expression: "SELECT x" }] }), 1);
        const three = lines([res("aws:cloudwatch/metricAlarm:MetricAlarm", { tags, metricQueries: [metric("a"), metric("b"), metric("c")] })])[0];
        assert.equal(three.description, "CloudWatch alarm on 3 metrics");
        close(three.monthly.max, 3 * UNIT_PRICES.alarmStandardPerMonth);
        assert.equal(lines([res("aws:cloudwatch/metricAlarm:MetricAlarm", { tags })])[0].description, "CloudWatch alarm");
    });

    it("the control plane is priced by its version's support phase on the month priced", () => {
        const cluster = (props: Record<string, unknown>) => lines([res("aws:eks/cluster:Cluster", { tags, ...props })])[0];
        const standard = cluster({ version: "1.34" });
        assert.equal(standard.description, "EKS control plane 1.34 (standard support)");
        close(standard.monthly.max, UNIT_PRICES.eksControlPlaneStandardPerHour * HOURS_PER_MONTH);
        const extended = cluster({ version: "1.33" });
        assert.equal(extended.description, `EKS control plane 1.33 (extended support ${HOURS_PER_MONTH} of ${HOURS_PER_MONTH} h)`);
        close(extended.monthly.max, UNIT_PRICES.eksControlPlaneExtendedPerHour * HOURS_PER_MONTH);
        assert.equal(cluster({ version: "1.33", upgradePolicy: { supportType: "STANDARD" } }).description, "EKS control plane 1.33 (standard support)");
        assert.equal(cluster({ upgradePolicy: { supportType: "EXTENDED" } }).description, `EKS control plane  (extended support ${HOURS_PER_MONTH} of ${HOURS_PER_MONTH} h)`);
        assert.equal(cluster({ upgradePolicy: { supportType: 5 } }).description, "EKS control plane  (standard support)");
        assert.equal(cluster({ version: 133 }).description, "EKS control plane 133 (standard support)", "a non-string version is not looked up");
        assert.equal(lines([res("aws:eks/cluster:Cluster", { version: "1.34" })], "ap-south-9")[0].unpriced, "no prices for region ap-south-9");
    });

    it("labels each compute kind and shows sizes for groups only", () => {
        assert.match(lines([res("aws:eks/nodeGroup:NodeGroup", { tags, instanceTypes: ["g5.xlarge"], scalingConfig: { minSize: 0, desiredSize: 1, maxSize: 2 } })])[0].description,
            /^node group r: on-demand g5\.xlarge, 0\/1\/2 nodes, 20 GiB gp3 each$/);
        assert.match(lines([res("aws:ec2/instance:Instance", { tags, instanceType: "g5.xlarge" })])[0].description, /^EC2 instance r: on-demand g5\.xlarge, 8 GiB gp3 each$/);
        const asg = res("aws:autoscaling/group:Group", { tags: [{ key: "team", value: "a", propagateAtLaunch: true }], minSize: 0, maxSize: 2, desiredCapacity: 1, mixedInstancesPolicy: { launchTemplate: { overrides: [{ instanceType: "g5.xlarge" }] } } });
        assert.match(lines([asg])[0].description, /^auto scaling group r: /);
        assert.deepEqual(lines([res("aws:eks/nodeGroup:NodeGroup", { tags, instanceTypes: ["g5.xlarge"], diskSize: Infinity, scalingConfig: { minSize: 0, maxSize: 1 } })])[0].description.includes(", 20 GiB gp3 each"), true, "a non-finite disk size falls back");
    });

    describe("schedules weight a node group's sizes by the hours each is in force", () => {
        const ng = res("aws:eks/nodeGroup:NodeGroup", { tags, instanceTypes: ["g5.xlarge"], scalingConfig: { minSize: 0, desiredSize: 0, maxSize: 4 } }, "ng");
        const schedule = (props: Record<string, unknown>, deps: string[] = [ng.urn], name = "s") =>
            res("aws:autoscaling/schedule:Schedule", { recurrence: "0 12 1 * *", minSize: 2, maxSize: 2, desiredCapacity: 2, ...props }, name, { dependencies: deps });
        const line = (...extra: CostResource[]) => lines([ng, ...extra]).find((l) => l.urn === ng.urn)!;
        const plain = line();

        it("a schedule on the group changes its figures and says so", () => {
            const s = line(schedule({}));
            assert.match(s.description, /1 schedule\(s\): hour-weighted [\d.]+\/[\d.]+\/[\d.]+ nodes$/);
            assert.notDeepEqual(s.monthly, plain.monthly);
            assert.ok(s.monthly.max < plain.monthly.max, "held at 2 nodes from the 1st at noon: less than 4 nodes all month");
            assert.ok(s.monthly.min > 0);
        });

        it("ignores schedules of other resources, without a string recurrence, or that cannot be replayed", () => {
            assert.deepEqual(line(schedule({}, [])).monthly, plain.monthly);
            assert.deepEqual(line(schedule({}, ["urn:other"])).monthly, plain.monthly);
            assert.deepEqual(line(schedule({ recurrence: 5 })).monthly, plain.monthly);
            assert.deepEqual(line(schedule({ recurrence: "not a cron" })).monthly, plain.monthly);
            assert.deepEqual(line(res("aws:autoscaling/policy:Policy", { recurrence: "0 12 1 * *", minSize: 2, maxSize: 2 }, "p", { dependencies: [ng.urn] })).monthly, plain.monthly);
        });

        it("reads the schedule's time zone, UTC by default", () => {
            assert.deepEqual(line(schedule({ timeZone: 5 })).monthly, line(schedule({ timeZone: "UTC" })).monthly);
            assert.deepEqual(line(schedule({})).monthly, line(schedule({ timeZone: "UTC" })).monthly);
        });

        it("two schedules both count", () => {
            const two = line(schedule({}), schedule({ recurrence: "0 12 15 * *", minSize: 4, maxSize: 4, desiredCapacity: 4 }, [ng.urn], "s2"));
            assert.match(two.description, /2 schedule\(s\)/);
        });
    });
});
