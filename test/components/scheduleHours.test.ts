import { strict as assert } from "assert";
import { averageNodes, firings, isReplayable, parseCron } from "../../components/scheduleHours";
import { estimateCost } from "../../lib/cost";

const iso = (ms: number[]) => ms.map((m) => new Date(m).toISOString());

describe("schedule-aware node hours", () => {
    it("parses Unix cron as Auto Scaling takes it", () => {
        const c = parseCron("*/15 9-17 * JAN-MAR MON-FRI");
        assert.deepEqual([...c.minutes], [0, 15, 30, 45]);
        assert.deepEqual([...c.months], [1, 2, 3]);
        assert.deepEqual([...c.weekdays].sort(), [1, 2, 3, 4, 5]);
        assert.ok(parseCron("0 0 * * 7").weekdays.has(0), "7 is Sunday");
        assert.throws(() => parseCron("0 25 * * *"), /outside 0-23/);
        assert.ok(!isReplayable({ cron: "0 0 * *" }) && !isReplayable({ cron: "0 0 * * *", timezone: "Mars/Olympus" }));
    });

    it("fires in the schedule's time zone, across daylight saving", () => {
        // 07:00 in Berlin is 06:00 UTC before 2027-03-28 and 05:00 UTC after.
        assert.deepEqual(iso(firings({ cron: "0 7 * * 1-5", timezone: "Europe/Berlin" }, Date.UTC(2027, 2, 26), Date.UTC(2027, 2, 30))),
            ["2027-03-26T06:00:00.000Z", "2027-03-29T05:00:00.000Z"]);
        // Half-hour zone: 02:30 in Kolkata is 21:00 UTC the day before.
        assert.deepEqual(iso(firings({ cron: "30 2 * * *", timezone: "Asia/Kolkata" }, Date.UTC(2027, 0, 1), Date.UTC(2027, 0, 2))), ["2027-01-01T21:00:00.000Z"]);
        // Day-of-month and weekday both restricted: either matches (Unix cron).
        assert.equal(firings({ cron: "0 0 1 * MON" }, Date.UTC(2027, 0, 1), Date.UTC(2027, 1, 1)).length, 1 + 4);
    });

    it("weights sizes by the hours they are in force: prod's nightly four warm nodes are 8 of 24 hours", () => {
        const avg = averageNodes({ minSize: 0, maxSize: 8, desiredSize: 0 }, [
            { cron: "0 22 * * *", minSize: 4, maxSize: 8, desiredSize: 4 },
            { cron: "0 6 * * *", minSize: 0, maxSize: 8, desiredSize: 0 },
        ]);
        assert.ok(Math.abs(avg.min - 4 * 8 / 24) < 1e-9 && Math.abs(avg.expected - 4 * 8 / 24) < 1e-9);
        assert.equal(avg.max, 8);
    });

    it("prices a group held at zero every night and weekend below 24/7 (dev)", () => {
        const avg = averageNodes({ minSize: 0, maxSize: 2, desiredSize: 0 }, [
            { cron: "0 20 * * *", timezone: "Europe/Berlin", minSize: 0, maxSize: 0, desiredSize: 0 },
            { cron: "0 7 * * 1-5", timezone: "Europe/Berlin", minSize: 0, maxSize: 2, desiredSize: 0 },
        ]);
        // Open 07:00-20:00 on weekdays: 65 of 168 hours at 2 nodes (DST shifts both ends alike).
        assert.ok(Math.abs(avg.max - 2 * 65 / 168) < 0.01, String(avg.max));
        assert.equal(avg.min, 0);
        assert.equal(avg.expected, 0);
    });

    it("keeps the group's sizes when no schedule ever fires, and clamps expected into the bounds in force", () => {
        assert.deepEqual(averageNodes({ minSize: 1, maxSize: 3, desiredSize: 2 }, [{ cron: "0 0 30 2 *", minSize: 0, maxSize: 0, desiredSize: 0 }]), { min: 1, expected: 2, max: 3 });
        assert.deepEqual(averageNodes({ minSize: 0, maxSize: 4, desiredSize: 2 }, [{ cron: "0 0 * * *", minSize: 0, maxSize: 1, desiredSize: 0 }]), { min: 0, expected: 1, max: 1 });
    });

    it("drives the plan's estimate through the schedules that depend on a node group", () => {
        const ng = { urn: "ng", type: "aws:eks/nodeGroup:NodeGroup", props: { nodeGroupName: "b", capacityType: "ON_DEMAND", instanceTypes: ["g6.xlarge"], scalingConfig: { minSize: 0, desiredSize: 0, maxSize: 8 }, tags: { team: "a" } } };
        const schedule = (urn: string, recurrence: string, minSize: number) =>
            ({ urn, type: "aws:autoscaling/schedule:Schedule", dependencies: ["ng"], props: { recurrence, minSize, maxSize: 8, desiredCapacity: minSize, autoscalingGroupName: "asg" } });
        const est = estimateCost([ng, schedule("s1", "0 22 * * *", 4), schedule("s2", "0 6 * * *", 0)], { region: "us-east-1" });
        const perNode = 0.8048 * 730 + 20 * 0.08;
        assert.equal(est.byTeam.a.expected, Math.round(perNode * 4 * 8 / 24 * 100) / 100);
        assert.equal(est.byTeam.a.max, Math.round(perNode * 8 * 100) / 100);
        assert.match(est.lines[0].description, /2 schedule\(s\): hour-weighted 1\.33\/1\.33\/8 nodes/);
        const unscheduled = estimateCost([ng], { region: "us-east-1" });
        assert.equal(unscheduled.byTeam.a.expected, 0);
    });
});
