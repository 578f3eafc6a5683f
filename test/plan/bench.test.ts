import { strict as assert } from "assert";
import { formatTargets, measure, missed, Target } from "../../plan/bench";

const target = (value: number, limit: number, guard?: number): Target => ({ name: "t", value, limit, unit: "x", guard });

describe("npm run bench", () => {
    it("fails only on a figure past its guard (the guard itself passes); a missed target within it is reported", () => {
        assert.deepEqual(missed([target(3, 2, 3), target(1.99, 2, 3)]), []);
        assert.equal(missed([target(3.01, 2, 3)]).length, 1);
        assert.deepEqual(missed([target(9, 2)]), [], "absolute times have no guard: reported only");
        assert.equal(missed([target(Number.NaN, 200, 200)]).length, 1, "a figure that could not be measured is past its guard");
    });

    it("says which targets were met, missed within the guard, and failed", () => {
        const text = formatTargets([target(1.2, 1.5, 2), target(2.5, 2, 3), target(3.5, 2, 3), target(3, 1.5)]).split("\n");
        assert.match(text[0], /1\.20x .*ok$/);
        assert.match(text[1], /2\.50x .*target missed \(within the CI guard of 3x\)$/);
        assert.match(text[2], /3\.50x .*FAILED: over the CI guard of 3x$/);
        assert.match(text[3], /reported only/);
    });

    it("measures every variant the given number of rounds and reports the median and peak memory", function () {
        this.timeout(30_000);
        const file = require("path").join(require("os").tmpdir(), `ai-infra-bench-test-${process.pid}.json`);
        const usage = `process.on("exit", () => require("fs").writeFileSync(process.env.AI_INFRA_RUSAGE_FILE, JSON.stringify(process.resourceUsage())))`;
        const m = measure([
            { label: "fast", command: process.execPath, args: ["-e", usage] },
            { label: "slow", command: process.execPath, args: ["-e", `${usage}; const t = Date.now() + 400; while (Date.now() < t);`] },
        ], 3, file);
        // The slow variant busy-waits 400 ms of wall time: however loaded the machine, its median is longer by about that.
        assert.ok(m.get("slow")!.medianMs > m.get("fast")!.medianMs + 200, JSON.stringify([...m]));
        assert.ok(m.get("fast")!.peakMiB! > 5 && m.get("fast")!.peakMiB! < 500);
    });
});

describe("bench's generated stack", () => {
    it("is a valid 50-team / 100-node-group stack (the bench must never fail on config)", async () => {
        const { largeStack } = await import("../../plan/bench");
        const { parseStackConfig } = await import("../../components/config");
        const doc = largeStack(50, 100) as { config: Record<string, unknown> };
        const config: Record<string, string> = {};
        for (const [k, v] of Object.entries(doc.config)) config[k] = typeof v === "string" ? v : JSON.stringify(v);
        const parsed = parseStackConfig(config);
        assert.equal(parsed.teams.length, 50);
        assert.equal(parsed.nodeGroups.length, 100);
    });
});
