/**
 * `npm run budget -- <hold|release|status> <stack> <team>`: apply, lift or show a team's budget hold on
 * the stack's cluster, with the caller's AWS credentials (the default chain: AWS_PROFILE, SSO, ...).
 * `release` is how a person lifts the hard limit; `hold` is how a `manual` budget action is carried out.
 */
import * as fs from "fs";
import * as path from "path";
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { EKSClient } from "@aws-sdk/client-eks";
import { parseStackConfig } from "../components/config";
import { Clients, describeReport, hold, HOLD_TAG, parseHoldRecord, release, teamGroups } from "../components/budgetHold/hold";
import { readProjectName, readStackFile, UsageError } from "../plan/stackFile";

export const USAGE = "usage: npm run budget -- <hold|release|status> <stack> <team>";
export const HELP = `Apply, lift or show a team's budget hold on its GPU node groups (README "The hard limit: a budget hold").

${USAGE}

  hold      suspend launches on the team's GPU node groups (running work drains; nothing is killed)
  release   resume them and restore the sizes and processes recorded by the hold
  status    show each of the team's GPU node groups and whether it is held
  --help, -h   this text

Needs AWS credentials for the stack's account and region (from stacks/Pulumi.<stack>.yaml).

Exit codes:
  0  done
  1  an action failed on a node group, or an unexpected error (the message says which)
  2  usage, stack config, or a team the stack does not declare`;

const ACTIONS = ["hold", "release", "status"] as const;
type Action = (typeof ACTIONS)[number];

export interface BudgetArgs { action: Action; stack: string; team: string }

export function parseArgs(argv: readonly string[]): BudgetArgs {
    const [action, stack, team, ...rest] = argv;
    if (!ACTIONS.includes(action as Action) || !stack || !team || rest.length > 0) throw new UsageError(USAGE);
    return { action: action as Action, stack, team };
}

/** Cluster and region of a stack, and a check that the team is one of its teams. */
export function target(projectDir: string, args: BudgetArgs): { cluster: string; region?: string } {
    const file = path.join(projectDir, "stacks", `Pulumi.${args.stack}.yaml`);
    const config = parseStackConfig(readStackFile(file, readProjectName(projectDir)).config);
    if (!config.teams.some((t) => t.id === args.team)) {
        throw new UsageError(`team ${JSON.stringify(args.team)} is not a team of stack ${args.stack}: one of ${config.teams.map((t) => t.id).join(", ")}`);
    }
    return { cluster: config.cluster.name, region: config.region };
}

async function status(cluster: string, team: string, c: Clients): Promise<string> {
    const groups = await teamGroups(cluster, team, c);
    const lines = [`team ${team} in cluster ${cluster}: ${groups.length} GPU node group(s)`];
    if (groups.length === 0) return lines[0];
    const { AutoScalingGroups = [] } = await c.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: groups.map((g) => g.asg) }));
    for (const g of groups) {
        const asg = AutoScalingGroups.find((a) => a.AutoScalingGroupName === g.asg);
        const record = parseHoldRecord(asg?.Tags?.find((t) => t.Key === HOLD_TAG)?.Value);
        const size = asg ? `min ${asg.MinSize}, max ${asg.MaxSize}, desired ${asg.DesiredCapacity}, suspended [${(asg.SuspendedProcesses ?? []).map((p) => p.ProcessName).join(", ")}]` : "Auto Scaling group not found";
        lines.push(`  ${g.nodeGroup} (${g.asg}): ${record ? `HELD since ${record.at} (release restores min ${record.minSize}, max ${record.maxSize})` : "not held"}; ${size}`);
    }
    return lines.join("\n");
}

export async function main(argv: readonly string[], projectDir: string, clients?: Clients, log: (s: string) => void = console.log, error: (s: string) => void = console.error): Promise<number> {
    let args: BudgetArgs;
    let where: { cluster: string; region?: string };
    if (argv.includes("--help") || argv.includes("-h")) {
        log(HELP);
        return 0;
    }
    try {
        args = parseArgs(argv);
        where = target(projectDir, args);
    } catch (e) {
        error((e as Error).message);
        return 2;
    }
    const c = clients ?? { eks: new EKSClient({ region: where.region }), autoscaling: new AutoScalingClient({ region: where.region }) };
    if (args.action === "status") {
        log(await status(where.cluster, args.team, c));
        return 0;
    }
    const report = args.action === "hold" ? await hold(where.cluster, args.team, c) : await release(where.cluster, args.team, c);
    log(describeReport(report));
    return report.failed ? 1 : 0;
}

/** The project folder: the nearest one above `from` with a Pulumi.yaml (the script also runs from `.build/`). */
export function projectDir(from: string): string {
    for (let dir = from; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        if (path.dirname(dir) === dir) throw new UsageError(`no Pulumi.yaml in ${from} or any folder above it`);
    }
}

if (require.main === module) {
    main(process.argv.slice(2), projectDir(__dirname)).then((code) => process.exit(code), (e) => {
        console.error((e as Error).message);
        process.exit(1);
    });
}
