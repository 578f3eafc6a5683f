/**
 * The budget-hold Lambda: a team's budget notification (SNS, one topic per team) holds that team's GPU
 * node groups; a direct invocation `{"action": "hold" | "release", "team": "<id>"}` does either by hand.
 * Shipped with hold.ts; imports only what the Lambda Node.js runtime provides.
 */
import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { EKSClient } from "@aws-sdk/client-eks";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { Clients, describeReport, hold, release, Report } from "./hold";

export interface SnsEvent { Records: { Sns: { TopicArn: string; Subject?: string | null; Message: string } }[] }
export interface DirectEvent { action: "hold" | "release"; team: string }

export interface HandlerEnv {
    /** EKS cluster whose node groups are held. */
    CLUSTER_NAME: string;
    /** JSON object: hold topic ARN → team id. */
    TEAM_BY_TOPIC: string;
    /** Topic told what was changed (the critical alert topic); optional. */
    REPORT_TOPIC_ARN?: string;
}

/** Which (action, team) pairs an event asks for; unknown topics and malformed requests are errors, never ignored. */
export function requests(event: SnsEvent | DirectEvent, teamByTopic: Record<string, string>): DirectEvent[] {
    if ("Records" in event) {
        return event.Records.map((r) => {
            const team = teamByTopic[r.Sns.TopicArn];
            if (!team) throw new Error(`no team is held through topic ${r.Sns.TopicArn}`);
            return { action: "hold" as const, team };
        });
    }
    if ((event.action !== "hold" && event.action !== "release") || typeof event.team !== "string" || !Object.values(teamByTopic).includes(event.team)) {
        throw new Error(`expected {"action": "hold" | "release", "team": one of ${JSON.stringify(Object.values(teamByTopic))}}, got ${JSON.stringify(event)}`);
    }
    return [{ action: event.action, team: event.team }];
}

export async function run(event: SnsEvent | DirectEvent, env: HandlerEnv, clients: Clients, sns?: Pick<SNSClient, "send">): Promise<Report[]> {
    const reports: Report[] = [];
    for (const r of requests(event, JSON.parse(env.TEAM_BY_TOPIC) as Record<string, string>)) {
        const report = r.action === "hold" ? await hold(env.CLUSTER_NAME, r.team, clients) : await release(env.CLUSTER_NAME, r.team, clients);
        const text = describeReport(report);
        console.log(text);
        if (sns && env.REPORT_TOPIC_ARN) {
            await sns.send(new PublishCommand({ TopicArn: env.REPORT_TOPIC_ARN, Subject: `Budget ${r.action}: ${r.team}${report.failed ? " (failures)" : ""}`.slice(0, 99), Message: text }));
        }
        reports.push(report);
    }
    // Throwing makes the asynchronous SNS invocation retry; every step is safe to repeat.
    const failed = reports.filter((r) => r.failed);
    if (failed.length > 0) throw new Error(`budget ${failed.map((r) => `${r.action} of ${r.team}`).join(", ")} failed for some node groups; see the log`);
    return reports;
}

export async function handler(event: SnsEvent | DirectEvent): Promise<Report[]> {
    const env = process.env as unknown as HandlerEnv;
    // Throttling is retried in hold.ts with its own backoff on top of the SDK's standard retries.
    return run(event, env, { eks: new EKSClient({}), autoscaling: new AutoScalingClient({}) }, new SNSClient({}));
}
