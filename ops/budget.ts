/**
 * `npm run budget -- <hold|release|status> <stack> <team>`: apply, lift or show a team's budget hold on
 * the stack's cluster, with the caller's AWS credentials (the default chain: AWS_PROFILE, SSO, ...).
 * The team's budget action and its node groups move together: `hold` approves a pending action (what the
 * console's approval does) and holds; `release` reverses the action first, because while it is in force the
 * Lambda's schedule holds the team again (components/budgetHold/budgetAction.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { BudgetsClient } from "@aws-sdk/client-budgets";
import { EKSClient } from "@aws-sdk/client-eks";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { ActionState, approve, budgetAction, inForce, reverse } from "../components/budgetHold/budgetAction";
import { teamBudgetName } from "../components/budgets";
import { parseStackConfig } from "../components/config";
import { platformNamePrefix } from "../components/names";
import { Clients, describeReport, hold, HOLD_TAG, parseHoldRecord, release, teamGroups } from "../components/budgetHold/hold";
import { readProjectName, readStackFile, UsageError } from "../plan/stackFile";

export const USAGE = "usage: npm run budget -- <hold|release|status> <stack> <team>";
export const HELP = `Apply, lift or show a team's budget hold on its GPU node groups (README "The hard limit: a budget hold").

${USAGE}

  hold      approve the team's budget action if it is pending, then suspend launches on the team's
            GPU node groups (running work drains; nothing is killed)
  release   reverse the team's budget action if it has run (Budgets detaches the deploy-role deny),
            then resume the groups and restore the sizes and processes recorded by the hold
  status    show the budget action and each of the team's GPU node groups, and whether it is held
  --help, -h   this text

Needs AWS credentials for the stack's account and region (from stacks/Pulumi.<stack>.yaml), with
budgets:DescribeBudgetActionsForBudget and budgets:ExecuteBudgetAction for teams with a budgetAction.

Exit codes:
  0  done
  1  an action failed on a node group, the budget action could not be approved or reversed, or an
     unexpected error (the message says which)
  2  usage, stack config, or a team the stack does not declare`;

const ACTIONS = ["hold", "release", "status"] as const;
type Action = (typeof ACTIONS)[number];

export interface BudgetArgs { action: Action; stack: string; team: string }

export function parseArgs(argv: readonly string[]): BudgetArgs {
    const [action, stack, team, ...rest] = argv;
    if (!ACTIONS.includes(action as Action) || !stack || !team || rest.length > 0) throw new UsageError(USAGE);
    return { action: action as Action, stack, team };
}

export interface Target {
    cluster: string;
    region?: string;
    /** The team's cost budget, when it has a hard limit (a budget action). */
    budgetName?: string;
}

/** Cluster and region of a stack, the team's budget, and a check that the team is one of its teams. */
export function target(projectDir: string, args: BudgetArgs): Target {
    const file = path.join(projectDir, "stacks", `Pulumi.${args.stack}.yaml`);
    const config = parseStackConfig(readStackFile(file, readProjectName(projectDir)).config);
    const team = config.teams.find((t) => t.id === args.team);
    if (!team) {
        throw new UsageError(`team ${JSON.stringify(args.team)} is not a team of stack ${args.stack}: one of ${config.teams.map((t) => t.id).join(", ")}`);
    }
    return { cluster: config.cluster.name, region: config.region, budgetName: team.budgetAction ? teamBudgetName(platformNamePrefix(args.stack), team.id) : undefined };
}

export interface BudgetClients extends Clients {
    budgets: Pick<BudgetsClient, "send">;
    /** The account the budgets live in (the caller's). */
    accountId: () => Promise<string>;
}

const describeAction = (s: ActionState | undefined) => (s ? `budget action ${s.actionId}: ${s.status}${inForce(s) ? " (in force)" : ""}` : "no budget action found");

/**
 * The budget action's part of a hold or release: approve it if pending, reverse it if in force. Returns
 * lines to print, or throws when the action is in a state a release cannot lift (the schedule would hold
 * the team again at once).
 */
async function moveAction(action: "hold" | "release", budgetName: string, c: BudgetClients): Promise<string[]> {
    const account = await c.accountId();
    const state = await budgetAction(c.budgets, account, budgetName);
    if (!state) return [`${budgetName}: ${describeAction(state)}`];
    if (action === "hold" && state.status === "PENDING") {
        await approve(c.budgets, account, budgetName, state.actionId);
        return [`${budgetName}: budget action ${state.actionId} approved (Budgets attaches the deploy-role deny)`];
    }
    if (action === "release" && inForce(state)) {
        if (state.status !== "EXECUTION_SUCCESS") {
            throw new Error(`${budgetName}: budget action ${state.actionId} is ${state.status}; it can be reversed only once it has run. ` +
                `Retry or reset it in the AWS Budgets console (Action history), then run release again: while it is in force the hold Lambda holds the team again within 10 minutes.`);
        }
        await reverse(c.budgets, account, budgetName, state.actionId);
        return [`${budgetName}: budget action ${state.actionId} reversed (Budgets detaches the deploy-role deny)`];
    }
    if (action === "release" && /_FAILURE$/.test(state.status)) {
        return [`${budgetName}: ${describeAction(state)}; left as it is. WARNING: the deploy-role deny may still be attached: retry or reset the action in the AWS Budgets console`];
    }
    return [`${budgetName}: ${describeAction(state)}; left as it is`];
}

async function status(cluster: string, team: string, budgetName: string | undefined, c: BudgetClients): Promise<string> {
    const groups = await teamGroups(cluster, team, c);
    let action = "; no hard limit";
    if (budgetName) {
        try {
            action = `; ${describeAction(await budgetAction(c.budgets, await c.accountId(), budgetName))}`;
        } catch (e) {
            action = `; budget action unreadable (${(e as Error).message})`;
        }
    }
    const lines = [`team ${team} in cluster ${cluster}: ${groups.length} GPU node group(s)${action}`];
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

export async function main(argv: readonly string[], projectDir: string, clients?: BudgetClients, log: (s: string) => void = console.log, error: (s: string) => void = console.error): Promise<number> {
    let args: BudgetArgs;
    let where: Target;
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
    const c = clients ?? {
        eks: new EKSClient({ region: where.region }), autoscaling: new AutoScalingClient({ region: where.region }), budgets: new BudgetsClient({ region: where.region }),
        accountId: async () => (await new STSClient({ region: where.region }).send(new GetCallerIdentityCommand({}))).Account!,
    };
    if (args.action === "status") {
        log(await status(where.cluster, args.team, where.budgetName, c));
        return 0;
    }
    let actionFailed = false;
    if (where.budgetName) {
        try {
            for (const line of await moveAction(args.action, where.budgetName, c)) log(line);
        } catch (e) {
            error((e as Error).message);
            // A release stops here (the schedule would hold again while the action is in force); a hold is
            // the emergency brake and goes on: the groups are held even when Budgets cannot be reached.
            if (args.action === "release") return 1;
            actionFailed = true;
        }
    }
    const report = args.action === "hold" ? await hold(where.cluster, args.team, c) : await release(where.cluster, args.team, c);
    log(describeReport(report));
    return report.failed || actionFailed ? 1 : 0;
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
