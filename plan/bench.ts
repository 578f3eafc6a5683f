import { spawnSync } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { percentile } from "../lib/stats";
import { PROJECT_DIR } from "./plan";

/**
 * `npm run bench [-- --runs N] [-- --tests]`: times the plan as a user and a pull-request pipeline run it
 * (a fresh process each, round-robin so a busy machine slows every variant alike) and checks the targets
 * of the fast-gate issue. Absolute times vary by machine; the ratios measured in one run do not, so
 * only ratios (and peak memory) fail the run.
 */

export interface Target {
    name: string;
    /** The figure the target applies to. */
    value: number;
    /** The target (the fast-gate issue's figure). */
    limit: number;
    unit: "x" | "s" | "MiB";
    /**
     * Whether missing the target fails the bench (and so CI): ratios measured in one run and peak memory
     * hold across machines; absolute times depend on the machine and are reported only.
     */
    gates: boolean;
    /** Every measurement of a ratio whose first one missed, when it was measured again (see confirmRatio). */
    attempts?: number[];
}

export const TARGETS = {
    /** `npm run plan -- dev` against merely loading the Pulumi SDK and the AWS provider. */
    devOverSdkLoad: 1.5,
    /** 50 teams / 100 node groups against the dev plan. */
    largeOverDev: 2,
    devWallSeconds: 1.5,
    devPeakMiB: 200,
    testWallSeconds: 30,
};

/** Measurements of a ratio whose first one missed: the verdict is on their median (see confirmRatio). */
export const MAX_ATTEMPTS = 3;

/**
 * A ratio whose first measurement misses is measured again, MAX_ATTEMPTS in all, and judged on the median:
 * a burst of load from a neighbour on a shared CI machine slows one measurement, a slower plan slows them
 * all. (Passing on any one measurement would let a plan sitting at its target pass 7 times in 8; the median
 * of three, after a first miss, 1 time in 4.)
 */
export function confirmRatio(first: number, limit: number, remeasure: () => number, maxAttempts = MAX_ATTEMPTS): { value: number; attempts?: number[] } {
    if (first <= limit) return { value: first };
    const attempts = [first];
    while (attempts.length < maxAttempts) attempts.push(remeasure());
    return { value: median(attempts), attempts };
}

export function largeStack(teams: number, nodeGroups: number): object {
    const teamMap: Record<string, object> = {};
    for (let t = 0; t < teams; t++) {
        teamMap[`team-${t}`] = {
            costCenter: `CC-${1000 + t}`, owner: `team-${t}@example.com`, monthlyBudgetUsd: 5000,
            gateway: { tier: t % 5 === 0 ? "production" : "batch", requestsPerMinute: 300, tokensPerMinute: 100000 },
        };
    }
    const groups: Record<string, object> = {};
    for (let g = 0; g < nodeGroups; g++) {
        groups[`group-${g}`] = { team: `team-${g % teams}`, capacity: "spot", instanceTypes: ["g6.xlarge", "g5.xlarge", "g4dn.xlarge"], minSize: 0, maxSize: 2, desiredSize: 0 };
    }
    return {
        config: {
            "aws:region": "us-east-1",
            "ai-infra:environment": "dev",
            "ai-infra:owner": "platform@example.com",
            "ai-infra:costCenter": "CC-PLATFORM",
            "ai-infra:monthlyBudgetUsd": 500000,
            // No version: the default follows the project's own version table.
            "ai-infra:cluster": { name: "ai-bench" },
            "ai-infra:teams": teamMap,
            "ai-infra:nodeGroups": groups,
            "ai-infra:gateway": {
                tls: { insecureHttp: true },
                tiers: { production: { hostname: "ai-production.bench.example.com" }, batch: { hostname: "ai.bench.example.com" } },
                backends: [{ name: "bedrock", provider: "aws-bedrock", models: ["us.anthropic.claude-haiku-4-5-20251001-v1:0"] }],
            },
        },
    };
}

interface Sample {
    wallMs: number;
    /** Peak resident memory of the measured node process, when it reported one. */
    peakMiB?: number;
}

interface Variant {
    label: string;
    command: string;
    args: string[];
}

const RUSAGE_ENV = "AI_INFRA_RUSAGE_FILE";

function runOnce(v: Variant, rusageFile: string): Sample {
    fs.rmSync(rusageFile, { force: true });
    const started = process.hrtime.bigint();
    const run = spawnSync(v.command, v.args, { cwd: PROJECT_DIR, encoding: "utf8", env: { ...process.env, [RUSAGE_ENV]: rusageFile } });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (run.status !== 0) throw new Error(`${v.label} (${v.command} ${v.args.join(" ")}) exited ${run.status}:\n${run.stdout}\n${run.stderr}`);
    const usage = fs.existsSync(rusageFile) ? (JSON.parse(fs.readFileSync(rusageFile, "utf8")) as { maxRSS: number }) : undefined;
    return { wallMs, peakMiB: usage ? usage.maxRSS / 1024 : undefined };
}

export interface Measurement {
    medianMs: number;
    peakMiB?: number;
    /** Wall time of each round, in round order: rounds pair the variants measured close together in time. */
    wallsMs: number[];
}

/** Runs every variant `runs` times, rotating the order each round; returns the median wall time, each round's and the largest peak per variant. */
export function measure(variants: readonly Variant[], runs: number, rusageFile: string): Map<string, Measurement> {
    const samples = new Map<string, Sample[]>(variants.map((v) => [v.label, []]));
    for (let round = 0; round < runs; round++) {
        for (let i = 0; i < variants.length; i++) {
            const v = variants[(i + round) % variants.length];
            samples.get(v.label)!.push(runOnce(v, rusageFile));
        }
    }
    const out = new Map<string, Measurement>();
    for (const [label, s] of samples) {
        const peaks = s.map((x) => x.peakMiB).filter((x): x is number => x !== undefined);
        out.set(label, { medianMs: median(s.map((x) => x.wallMs)), peakMiB: peaks.length ? Math.max(...peaks) : undefined, wallsMs: s.map((x) => x.wallMs) });
    }
    return out;
}

/** The 50th percentile (with an even count, the mean of the two middle values); NaN for none. */
export function median(values: readonly number[]): number {
    return percentile(values, 50) ?? Number.NaN;
}

/**
 * The ratio of two variants measured in the same rounds: the median of each round's ratio. Within a round
 * the two ran seconds apart, so load that comes and goes tends to slow both; a ratio of the two overall
 * medians would pair runs a minute apart.
 */
export function pairedRatio(numerator: Measurement, denominator: Measurement): number {
    const n = Math.min(numerator.wallsMs.length, denominator.wallsMs.length);
    if (n === 0) return Number.NaN;
    return median(Array.from({ length: n }, (_, i) => numerator.wallsMs[i] / denominator.wallsMs[i]));
}

/** Gating figures that missed their target (a figure that could not be measured missed it). */
export function missed(targets: readonly Target[]): Target[] {
    return targets.filter((t) => t.gates && !(t.value <= t.limit));
}

const formatValue = (t: Pick<Target, "unit">, v: number) => (t.unit === "x" ? `${v.toFixed(2)}x` : t.unit === "s" ? `${v.toFixed(2)} s` : `${v.toFixed(0)} MiB`);

export function formatTargets(targets: readonly Target[]): string {
    return targets.map((t) => {
        const limit = t.unit === "x" ? `${t.limit}x` : t.unit === "s" ? `${t.limit} s` : `${t.limit} MiB`;
        const verdict = t.value <= t.limit ? "ok" : t.gates ? "FAILED" : "missed (reported only: absolute times depend on the machine)";
        const earlier = t.attempts?.length ? `  (median of ${t.attempts.map((a) => formatValue(t, a)).join(", ")})` : "";
        return `  ${t.name.padEnd(46)} ${formatValue(t, t.value).padStart(9)}  target <= ${limit.padEnd(8)} ${verdict}${earlier}`;
    }).join("\n");
}

export const BENCH_HELP = `Measure the plan's speed and memory (about a minute; CI runs it after the tests).

usage: npm run bench [-- --runs N] [-- --tests]

  --runs N     rounds per variant, round-robin (default 5)
  --tests      also time npm test (reported only)
  --help, -h   this text

Exit codes:
  0  every ratio and memory target met (absolute times are reported only)
  1  a ratio or memory target missed (listed on stderr); a ratio whose first measurement misses
     is measured ${MAX_ATTEMPTS} times in all and judged on the median
  2  usage`;

function main(argv: readonly string[]): number {
    if (argv.includes("--help") || argv.includes("-h")) {
        console.log(BENCH_HELP);
        return 0;
    }
    const runsFlag = argv.indexOf("--runs");
    const runs = runsFlag >= 0 ? Number(argv[runsFlag + 1]) : 5;
    if (!Number.isInteger(runs) || runs < 1) {
        console.error("usage: npm run bench [-- --runs N] [-- --tests]");
        return 2;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-infra-bench-"));
    const rusageFile = path.join(dir, "rusage.json");
    const stackFile = path.join(dir, "Pulumi.bench.yaml");
    fs.writeFileSync(stackFile, yaml.dump(largeStack(50, 100)));
    // The whole dev pack judges the large stack too, with quotas opened to its 50 teams (each budgeted, so known).
    const policy = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "policies", "config", "dev.json"), "utf8")) as Record<string, Record<string, unknown>>;
    Object.assign(policy["gpu-quota"], { maxGpusPerTeam: {}, defaultMaxGpusPerTeam: 1000, maxGpusPerEnvironment: 100000 });
    const policyFile = path.join(dir, "policy.json");
    fs.writeFileSync(policyFile, JSON.stringify(policy));

    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const reportUsage = `process.on("exit", () => require("fs").writeFileSync(process.env.${RUSAGE_ENV}, JSON.stringify(process.resourceUsage())))`;
    const variants: Variant[] = [
        { label: "sdk", command: process.execPath, args: ["-e", `${reportUsage}; require("@pulumi/pulumi"); require("@pulumi/aws")`] },
        { label: "dev", command: npm, args: ["run", "--silent", "plan", "--", "dev"] },
        { label: "tsnode", command: process.execPath, args: ["-r", "ts-node/register/transpile-only", "-r", path.join(PROJECT_DIR, "tools", "componentsFromSource.js"), path.join(PROJECT_DIR, "plan", "cli.ts"), "dev"] },
        { label: "large", command: npm, args: ["run", "--silent", "plan", "--", "bench", "--config-file", stackFile, "--policy-config", policyFile] },
    ];
    console.log(`measuring ${variants.length} variants x ${runs} rounds (round-robin)...`);
    const m = measure(variants, runs, rusageFile);
    const s = (label: string) => m.get(label)!.medianMs / 1000;
    console.log(`  require @pulumi/pulumi + @pulumi/aws:  ${s("sdk").toFixed(2)} s`);
    console.log(`  npm run plan -- dev:                   ${s("dev").toFixed(2)} s, peak ${m.get("dev")!.peakMiB?.toFixed(0) ?? "?"} MiB`);
    console.log(`  previous path (ts-node, plan/cli.ts):  ${s("tsnode").toFixed(2)} s  (dev plan is ${(s("dev") / s("tsnode")).toFixed(2)}x of it)`);
    console.log(`  50 teams / 100 node groups plan:       ${s("large").toFixed(2)} s, peak ${m.get("large")!.peakMiB?.toFixed(0) ?? "?"} MiB`);
    interface Ratio { target: Target; numerator: string; denominator: string }
    const ratio = (name: string, numerator: string, denominator: string, limit: number): Ratio => ({
        target: { name, value: pairedRatio(m.get(numerator)!, m.get(denominator)!), limit, unit: "x", gates: true }, numerator, denominator,
    });
    const ratios = [
        ratio("dev plan / SDK load (same run)", "dev", "sdk", TARGETS.devOverSdkLoad),
        ratio("large plan / dev plan (same run)", "large", "dev", TARGETS.largeOverDev),
    ];
    for (const { target: t, numerator, denominator } of ratios) {
        Object.assign(t, confirmRatio(t.value, t.limit, () => {
            console.log(`  ${t.name} missed ${t.limit}x; measuring it again`);
            const again = measure(variants.filter((v) => v.label === numerator || v.label === denominator), runs, rusageFile);
            return pairedRatio(again.get(numerator)!, again.get(denominator)!);
        }));
    }
    const targets: Target[] = [
        ...ratios.map((r) => r.target),
        { name: "dev plan peak memory", value: m.get("dev")!.peakMiB ?? Number.NaN, limit: TARGETS.devPeakMiB, unit: "MiB", gates: true },
        { name: "dev plan wall", value: s("dev"), limit: TARGETS.devWallSeconds, unit: "s", gates: false },
    ];
    if (argv.includes("--tests")) {
        const started = process.hrtime.bigint();
        const t = spawnSync(npm, ["test", "--silent"], { cwd: PROJECT_DIR, encoding: "utf8" });
        if (t.status !== 0) throw new Error(`npm test failed:\n${t.stdout}\n${t.stderr}`);
        targets.push({ name: "npm test wall", value: Number(process.hrtime.bigint() - started) / 1e9, limit: TARGETS.testWallSeconds, unit: "s", gates: false });
    }
    console.log("targets (ratios: the median of each round's ratio):");
    console.log(formatTargets(targets));
    const failed = missed(targets);
    if (failed.length > 0) console.error(`bench: ${failed.length} target(s) missed: ${failed.map((t) => t.name).join(", ")}`);
    return failed.length > 0 ? 1 : 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
