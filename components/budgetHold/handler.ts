/**
 * The budget-hold Lambda. Three ways in:
 * - a message on a team's hold topic (its budget's 100 % notification, or its budget action's own
 *   notification): an `automatic` team is held at once unless a person has lifted the limit this period
 *   (the action reversed); a `manual` team only once its action has run, i.e. a person approved it
 *   (budgetAction.ts);
 * - the reconcile schedule `{"action": "reconcile"}`: every team whose action is in force is held (a
 *   console approval sends no event we can rely on, and a node group created after a hold is caught);
 * - a direct invocation `{"action": "hold" | "release", "team": "<id>"}` does either by hand.
 * Shipped with hold.ts and budgetAction.ts; imports only what the Lambda Node.js runtime provides.
 */
import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { BudgetsClient } from "@aws-sdk/client-budgets";
import { EKSClient } from "@aws-sdk/client-eks";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { ActionState, budgetAction, HeldTeam, inForce, lifted } from "./budgetAction";
import { Clients, describeReport, hold, release, Report } from "./hold";

export interface SnsEvent { Records: { Sns: { TopicArn: string; Subject?: string | null; Message: string } }[] }
export interface DirectEvent { action: "hold" | "release"; team: string }
export interface ReconcileEvent { action: "reconcile" }
export type HoldEvent = SnsEvent | DirectEvent | ReconcileEvent;

/** A team as the Lambda's environment declares it. */
export interface TeamEntry extends HeldTeam { topicArn: string }

export interface HandlerEnv {
    /** EKS cluster whose node groups are held. */
    CLUSTER_NAME: string;
    /** Account of the team budgets (the Budgets API needs it). */
    ACCOUNT_ID: string;
    /** JSON object: team id → TeamEntry. */
    TEAMS: string;
    /** Topic told what was changed (the critical alert topic); optional. */
    REPORT_TOPIC_ARN?: string;
}

export interface HandlerClients extends Clients {
    budgets: Pick<BudgetsClient, "send">;
}

/**
 * What an event asks for, each decided on the team's budget action: `hold` (by hand), `hold-unless-lifted`
 * (an automatic team's notification), `hold-if-in-force` (a manual team's notification, the schedule) or
 * `release` (by hand, refused while the action is in force). Unknown topics and malformed requests are
 * errors, never ignored.
 */
export type Request = { action: "hold" | "release" | "hold-if-in-force" | "hold-unless-lifted"; team: string };

export function requests(event: HoldEvent, teams: Record<string, TeamEntry>): Request[] {
    if ("Records" in event) {
        return event.Records.map((r) => {
            const team = Object.keys(teams).find((t) => teams[t].topicArn === r.Sns.TopicArn);
            if (!team) throw new Error(`no team is held through topic ${r.Sns.TopicArn}`);
            return { action: teams[team].approval === "automatic" ? "hold-unless-lifted" as const : "hold-if-in-force" as const, team };
        });
    }
    if (event.action === "reconcile") return Object.keys(teams).map((team) => ({ action: "hold-if-in-force" as const, team }));
    if ((event.action !== "hold" && event.action !== "release") || typeof event.team !== "string" || !(event.team in teams)) {
        throw new Error(`expected {"action": "reconcile"} or {"action": "hold" | "release", "team": one of ${JSON.stringify(Object.keys(teams))}}, got ${JSON.stringify(event)}`);
    }
    return [{ action: event.action, team: event.team }];
}

/** A report worth telling people about: something changed or failed (a reconcile finding all held stays quiet). */
export const changedSomething = (r: Report): boolean =>
    r.failed || r.groups.some((g) => g.status === "held" || g.status === "released" || (g.status === "already-held" && g.changes.length > 0));

export async function run(event: HoldEvent, env: HandlerEnv, clients: HandlerClients, sns?: Pick<SNSClient, "send">): Promise<Report[]> {
    const teams = JSON.parse(env.TEAMS) as Record<string, TeamEntry>;
    const reports: Report[] = [];
    const errors: string[] = [];
    for (const r of requests(event, teams)) {
        if (r.action !== "hold") {
            let state: ActionState | undefined;
            try {
                state = await budgetAction(clients.budgets, env.ACCOUNT_ID, teams[r.team].budgetName);
            } catch (e) {
                // One team's unreadable action must not leave the others unheld; an automatic team's
                // notification still holds (the 100 % is the signal), the error is reported either way.
                errors.push(`reading the budget action of ${r.team}: ${(e as Error).message}`);
                if (r.action !== "hold-unless-lifted") continue;
            }
            const described = state ? `budget action ${state.actionId} is ${state.status}` : "budget action not found";
            if (r.action === "hold-if-in-force" && !inForce(state)) {
                console.log(`team ${r.team}: ${described}; not in force, nothing held`);
                continue;
            }
            if (r.action === "hold-unless-lifted" && lifted(state)) {
                console.log(`team ${r.team}: ${described}; a person lifted the limit this period, nothing held`);
                continue;
            }
            if (r.action === "release" && inForce(state)) {
                // Released groups would be held again by the next reconcile: the action goes first.
                errors.push(`release of ${r.team} refused: ${described} (in force); reverse it first: npm run budget -- release <stack> ${r.team} does both`);
                continue;
            }
        }
        const report = r.action === "release" ? await release(env.CLUSTER_NAME, r.team, clients) : await hold(env.CLUSTER_NAME, r.team, clients);
        const text = describeReport(report);
        console.log(text);
        if (sns && env.REPORT_TOPIC_ARN && (changedSomething(report) || "team" in event)) {
            await sns.send(new PublishCommand({ TopicArn: env.REPORT_TOPIC_ARN, Subject: `Budget ${report.action}: ${r.team}${report.failed ? " (failures)" : ""}`.slice(0, 99), Message: text }));
        }
        if (report.failed) errors.push(`${report.action} of ${r.team} failed for some node groups`);
        reports.push(report);
    }
    // Throwing makes the asynchronous invocation retry (SNS, EventBridge) and the error alarm fire; every step is safe to repeat.
    if (errors.length > 0) throw new Error(`budget hold: ${errors.join("; ")}; see the log`);
    return reports;
}

export async function handler(event: HoldEvent): Promise<Report[]> {
    const env = process.env as unknown as HandlerEnv;
    // Throttling is retried in hold.ts with its own backoff on top of the SDK's standard retries.
    return run(event, env, { eks: new EKSClient({}), autoscaling: new AutoScalingClient({}), budgets: new BudgetsClient({}) }, new SNSClient({}));
}
