import { spawnSync } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "./plan";

/**
 * `npm run bench`: times the dev plan and a 50-team, 100-node-group environment as a pull-request
 * pipeline runs them (a fresh process each), and fails when the large one costs more than 3x the dev
 * plan: start-up must dominate, not per-resource work.
 */

export const MAX_RATIO = 3;
const RUNS = 3;

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
            "ai-infra:cluster": { name: "ai-bench", version: "1.33" },
            "ai-infra:teams": teamMap,
            "ai-infra:nodeGroups": groups,
            "ai-infra:gateway": {
                tls: { insecureHttp: true },
                backends: [{ name: "bedrock", provider: "aws-bedrock", models: ["anthropic.claude-3-5-haiku-20241022-v1:0"] }],
            },
        },
    };
}

function timePlan(args: string[]): number {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
        const started = process.hrtime.bigint();
        const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(PROJECT_DIR, "plan", "cli.ts"), ...args], { cwd: PROJECT_DIR, encoding: "utf8" });
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (run.status !== 0) throw new Error(`plan ${args.join(" ")} exited ${run.status}:\n${run.stdout}\n${run.stderr}`);
        times.push(ms);
    }
    return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
}

function main(): number {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-infra-bench-"));
    const stackFile = path.join(dir, "Pulumi.bench.yaml");
    fs.writeFileSync(stackFile, yaml.dump(largeStack(50, 100)));
    // The whole dev pack judges the large stack too, with quotas opened to its 50 teams (each budgeted, so known).
    const policy = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "policies", "config", "dev.json"), "utf8")) as Record<string, Record<string, unknown>>;
    Object.assign(policy["gpu-quota"], { maxGpusPerTeam: {}, defaultMaxGpusPerTeam: 1000, maxGpusPerEnvironment: 100000 });
    const policyFile = path.join(dir, "policy.json");
    fs.writeFileSync(policyFile, JSON.stringify(policy));
    const dev = timePlan(["dev"]);
    const large = timePlan(["bench", "--config-file", stackFile, "--policy-config", policyFile]);
    const ratio = large / dev;
    console.log(`dev plan:                         ${(dev / 1000).toFixed(2)} s (median of ${RUNS})`);
    console.log(`50 teams, 100 node groups plan:   ${(large / 1000).toFixed(2)} s (median of ${RUNS})`);
    console.log(`ratio:                            ${ratio.toFixed(2)}x (limit ${MAX_RATIO}x)`);
    return ratio <= MAX_RATIO ? 0 : 1;
}

if (require.main === module) process.exit(main());
