import { strict as assert } from "assert";
import { INSTANCE_TYPES } from "../../components/catalog";
import { ConfigError, parseStackConfig } from "../../components/config";
import { instanceTypeMismatch, isCron, isTimeZone, MAX_INSTANCE_TYPES } from "../../components/configNodeGroups";
import { baseConfig } from "../helpers";

const G = "ai-infra:nodeGroups.llm-spot";
const base = { team: "ml-research", capacity: "spot", instanceTypes: ["g6.xlarge", "g5.xlarge"], minSize: 0, maxSize: 4, desiredSize: 0 };
function problems(group: Record<string, unknown>): string[] {
    try {
        parseStackConfig(baseConfig({ "ai-infra:nodeGroups": { "llm-spot": { ...base, ...group } } }));
        return [];
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
        return e.problems.map((p) => p.message);
    }
}
const accepted = (group: Record<string, unknown>) => parseStackConfig(baseConfig({ "ai-infra:nodeGroups": { "llm-spot": { ...base, ...group } } })).nodeGroups[0];
const schedule = (s: Record<string, unknown>) => ({ name: "night", cron: "0 22 * * 1-5", minSize: 0, maxSize: 1, ...s });
const CRON = 'must be a 5-field cron expression like "0 22 * * 1-5" (minute hour day month weekday)';

describe("node group config: each key made invalid, each boundary probed", () => {
    it("cron: exactly five fields, each of the allowed characters or names", () => {
        assert.equal(isCron("0 22 * * 1-5"), true);
        assert.equal(isCron("  */15 8-18 1,15 JAN-MAR mon-fri "), true);
        for (const bad of ["0 22 * *", "0 22 * * 1-5 2027", "0 22 ? * 1", "0 22 * FOO 1", "0 22 * * XYZ", "@daily", "0 h * * *"]) assert.equal(isCron(bad), false, bad);
        assert.deepEqual(problems({ schedules: [schedule({ cron: "0 22 * *" })] }), [`${G}.schedules[0].cron: "0 22 * *" is not allowed: ${CRON}`]);
    });

    it("time zones: IANA names only, UTC by default", () => {
        assert.equal(isTimeZone("Europe/Berlin"), true);
        assert.equal(isTimeZone("Mars/Olympus"), false);
        assert.deepEqual(problems({ schedules: [schedule({ timezone: "Mars/Olympus" })] }), [`${G}.schedules[0].timezone: "Mars/Olympus" is not allowed: must be an IANA time zone like Europe/Berlin or UTC`]);
        assert.equal(accepted({ schedules: [schedule({})] }).schedules[0].timezone, "UTC");
    });

    it("schedules: a list, unique DNS-label names, sizes within the group's maxSize, desired equal to min", () => {
        assert.deepEqual(problems({ schedules: { night: {} } }), [`${G}.schedules: {"night":{}} is not allowed: must be a list of {name, cron, timezone?, minSize, maxSize, desiredSize}`]);
        assert.deepEqual(problems({ schedules: [schedule({}), schedule({})] }), [`${G}.schedules[1].name: "night" is not allowed: duplicates an earlier schedule of this group`]);
        assert.deepEqual(problems({ schedules: [schedule({ name: "Night" })] }), [`${G}.schedules[0].name: "Night" is not allowed: must be a lower-case DNS label`]);
        assert.deepEqual(problems({ schedules: [schedule({ minSize: 5, maxSize: 5 })] }), [
            `${G}.schedules[0].minSize: 5 is not allowed: must be an integer from 0 to the group's maxSize (4)`,
            `${G}.schedules[0].maxSize: 5 is not allowed: must be an integer from minSize (0) to the group's maxSize (4)`,
        ]);
        assert.deepEqual(problems({ schedules: [schedule({ minSize: 2, maxSize: 1 })] }), [`${G}.schedules[0].maxSize: 1 is not allowed: must be an integer from minSize (2) to the group's maxSize (4)`]);
        assert.deepEqual(problems({ schedules: [schedule({ minSize: 1, maxSize: 4, desiredSize: 2 })] }),
            [`${G}.schedules[0].desiredSize: 2 is not allowed: must equal the schedule's minSize (1): the Cluster Autoscaler removes nodes above minSize within minutes, so to keep nodes warm raise minSize`]);
        assert.deepEqual(accepted({ schedules: [schedule({ minSize: 4, maxSize: 4 }), schedule({ name: "day", timezone: "Europe/Berlin" })] }).schedules, [
            { name: "night", cron: "0 22 * * 1-5", timezone: "UTC", minSize: 4, maxSize: 4, desiredSize: 4 },
            { name: "day", cron: "0 22 * * 1-5", timezone: "Europe/Berlin", minSize: 0, maxSize: 1, desiredSize: 0 },
        ]);
    });

    it("predictive scaling: CPU forecasts only, target utilisation from 1 to 100", () => {
        const pred = (p: Record<string, unknown>) => problems({ predictiveScaling: p });
        assert.deepEqual(pred({ targetUtilization: 0.5 }), [`${G}.predictiveScaling.targetUtilization: 0.5 is not allowed: must be a number from 1 to 100 (percent)`]);
        assert.deepEqual(pred({ targetUtilization: 100.5 }), [`${G}.predictiveScaling.targetUtilization: 100.5 is not allowed: must be a number from 1 to 100 (percent)`]);
        assert.deepEqual(accepted({ predictiveScaling: { targetUtilization: 1 } }).predictiveScaling, { metric: "cpu", targetUtilization: 1, mode: "forecastOnly" });
        assert.deepEqual(accepted({ predictiveScaling: { targetUtilization: 100, metric: "cpu", mode: "forecastOnly" } }).predictiveScaling, { metric: "cpu", targetUtilization: 100, mode: "forecastOnly" });
        assert.deepEqual(accepted({ predictiveScaling: {} }).predictiveScaling, { metric: "cpu", targetUtilization: 60, mode: "forecastOnly" });
        assert.equal(accepted({}).predictiveScaling, undefined);
        assert.equal(pred({ metric: "gpu" }).length, 1);
        assert.match(pred({ metric: "gpu" })[0], /^ai-infra:nodeGroups\.llm-spot\.predictiveScaling\.metric: "gpu" is not allowed: must be cpu: /);
        assert.deepEqual(pred({ metric: "memory" }), [`${G}.predictiveScaling.metric: "memory" is not allowed: must be one of cpu`]);
        assert.match(pred({ mode: "forecastAndScale" })[0], /^ai-infra:nodeGroups\.llm-spot\.predictiveScaling\.mode: "forecastAndScale" is not allowed: must be forecastOnly: /);
        assert.deepEqual(pred({ mode: "scale" }), [`${G}.predictiveScaling.mode: "scale" is not allowed: must be one of forecastOnly`]);
        assert.deepEqual(pred({ metric: "cpu", extra: 1 }), [`${G}.predictiveScaling.extra: unknown key: allowed keys are metric, targetUtilization, mode`]);
    });

    it("instance types: GPU types of one shape; vCPU, memory and architecture differences are refused too", () => {
        const facts = (...names: string[]) => names.map((n) => INSTANCE_TYPES.get(n)!);
        assert.equal(instanceTypeMismatch(facts("g5.xlarge")), undefined);
        assert.equal(instanceTypeMismatch(facts("g6.xlarge", "g5.xlarge")), undefined);
        assert.match(instanceTypeMismatch(facts("g5.xlarge", "g5.2xlarge")) ?? "", /^all instance types of one group must have the same GPU count, vCPU, memory and architecture \(g5\.xlarge: 1 GPU, 4 vCPU, 16 GiB, x86_64; g5\.2xlarge: 1 GPU, 8 vCPU, 32 GiB, x86_64\)$/);
        const shape = (n: string) => { const f = INSTANCE_TYPES.get(n)!; return { ...f }; };
        for (const field of ["vcpu", "memoryGiB", "architecture", "gpus"] as const) {
            const a = shape("g5.xlarge"), b = { ...shape("g5.xlarge"), name: "twin", [field]: field === "architecture" ? "arm64" : 999 };
            assert.ok(instanceTypeMismatch([a, b]), field);
        }
        assert.deepEqual(problems({ instanceTypes: ["m7i.large"] }), [`${G}.instanceTypes[0]: "m7i.large" is not allowed: must be a GPU instance type; general-purpose types belong in cluster.systemNodes`]);
        assert.match(problems({ instanceTypes: ["g9.mega"] })[0], /^ai-infra:nodeGroups\.llm-spot\.instanceTypes\[0\]: "g9\.mega" is not allowed: must be one of /);
    });

    it("at most 20 instance types per group (EKS)", () => {
        const gpuTypes = [...INSTANCE_TYPES.values()].filter((f) => f.gpus > 0).map((f) => f.name);
        const tooMany = `EKS accepts at most ${MAX_INSTANCE_TYPES} instance types per node group`;
        assert.ok(gpuTypes.length > MAX_INSTANCE_TYPES, "the catalog has enough GPU types to probe the limit");
        assert.ok(problems({ instanceTypes: gpuTypes.slice(0, MAX_INSTANCE_TYPES + 1) }).some((m) => m.endsWith(tooMany)));
        assert.ok(!problems({ instanceTypes: gpuTypes.slice(0, MAX_INSTANCE_TYPES) }).some((m) => m.endsWith(tooMany)));
    });

    it("sizes: 0 <= min <= desired <= max, max >= 1, at most 1000 nodes; disk from 50 to 16384 GiB", () => {
        assert.deepEqual(problems({ minSize: -1 }), [`${G}.minSize: -1 is not allowed: must be an integer from 0 to 1000`]);
        assert.deepEqual(problems({ minSize: 0, maxSize: 0 }), [`${G}.maxSize: 0 is not allowed: must be an integer >= minSize (0) and >= 1, at most 1000`]);
        assert.deepEqual(problems({ maxSize: 1001 }), [`${G}.maxSize: 1001 is not allowed: must be an integer >= minSize (0) and >= 1, at most 1000`]);
        assert.equal(accepted({ minSize: 0, maxSize: 1000, desiredSize: 1000 }).maxSize, 1000);
        assert.deepEqual(problems({ minSize: 2, maxSize: 4, desiredSize: 5 }), [`${G}.desiredSize: 5 is not allowed: must be an integer from minSize (2) to maxSize (4)`]);
        assert.deepEqual(problems({ minSize: 2, maxSize: 4, desiredSize: 1 }), [`${G}.desiredSize: 1 is not allowed: must be an integer from minSize (2) to maxSize (4)`]);
        assert.equal(accepted({ minSize: 2, maxSize: 4, desiredSize: undefined }).desiredSize, 2, "desired defaults to min");
        assert.deepEqual(problems({ diskSizeGiB: 49 }), [`${G}.diskSizeGiB: 49 is not allowed: must be an integer from 50 to 16384 GiB (model images need room)`]);
        assert.deepEqual(problems({ diskSizeGiB: 16385 }), [`${G}.diskSizeGiB: 16385 is not allowed: must be an integer from 50 to 16384 GiB (model images need room)`]);
        assert.equal(accepted({ diskSizeGiB: 50 }).diskSizeGiB, 50);
        assert.equal(accepted({ diskSizeGiB: 16384 }).diskSizeGiB, 16384);
    });

    it("odd shapes get one clear message each, never a crash", () => {
        assert.equal(isCron("0  22 * *\t1-5"), true, "fields may be separated by several blanks");
        assert.deepEqual(problems({ schedules: ["x"] }), [`${G}.schedules[0]: "x" is not allowed: must be an object with keys name, cron, timezone, minSize, maxSize, desiredSize`]);
        assert.deepEqual(problems({ schedules: [schedule({ cron: 5 })] }), [`${G}.schedules[0].cron: 5 is not allowed: must be a 5-field cron expression like "0 22 * * 1-5" (minute hour day month weekday)`]);
        assert.deepEqual(problems({ schedules: [schedule({ cron: undefined })] }), [`${G}.schedules[0].cron: missing: required, must be a 5-field cron expression like "0 22 * * 1-5" (minute hour day month weekday)`]);
        assert.deepEqual(problems({ schedules: [schedule({ timezone: 5 })] }), [`${G}.schedules[0].timezone: 5 is not allowed: must be an IANA time zone like Europe/Berlin`]);
        assert.deepEqual(problems({ predictiveScaling: "x" }), [`${G}.predictiveScaling: "x" is not allowed: must be an object with keys metric, targetUtilization, mode`]);
        assert.deepEqual(problems({ team: undefined }), [`${G}.team: missing: required, must be a non-empty string`]);
        try {
            parseStackConfig(baseConfig({ "ai-infra:nodeGroups": { "llm-spot": "x" } }));
            assert.fail("expected a ConfigError");
        } catch (e) {
            assert.ok(e instanceof ConfigError);
            assert.deepEqual(e.problems.map((p) => p.message), [`${G}: "x" is not allowed: must be an object with keys team, capacity, instanceTypes, minSize, maxSize, desiredSize, diskSizeGiB, schedules, predictiveScaling`]);
        }
    });

    it("team and capacity: a declared team, on-demand or spot", () => {
        assert.deepEqual(problems({ team: "nobody" }), [`${G}.team: "nobody" is not allowed: must name a team of ai-infra:teams (ml-research, search)`]);
        assert.deepEqual(problems({ capacity: "reserved" }), [`${G}.capacity: "reserved" is not allowed: must be one of on-demand, spot`]);
        assert.deepEqual(problems({ extra: 1 }), [`${G}.extra: unknown key: allowed keys are team, capacity, instanceTypes, minSize, maxSize, desiredSize, diskSizeGiB, schedules, predictiveScaling`]);
        assert.equal(accepted({ capacity: "on-demand" }).capacity, "on-demand");
    });
});
