/**
 * The budget hold: stop a team's GPU node groups from starting any new instance, and lift that exactly.
 *
 * Shipped as-is to the budget-hold Lambda (see lambdaCode.ts) and run by `npm run budget`, so it imports
 * nothing but the AWS SDK v3 clients the Lambda Node.js runtime already contains.
 *
 * Why the Auto Scaling group and not the IAM role of whoever scales: managed node group instances are
 * launched by the Auto Scaling service-linked role, on behalf of the Cluster Autoscaler
 * (SetDesiredCapacity), scheduled actions, predictive scaling and anyone editing the node group. The
 * one place all of those meet is the group's `Launch` process: while it is suspended the group starts
 * no instance, whatever raised its desired capacity. `ScheduledActions` is suspended too so the
 * schedules do not move sizes while held, and MaxSize is lowered to the running count so the Cluster
 * Autoscaler sees no headroom (it reads the ASG's MaxSize) instead of waiting on launches that never come:
 * it does not look at suspended processes itself (kubernetes/autoscaler#5591; the fix proposed in #5601,
 * pinning max to desired when Launch is suspended, was closed unmerged, so the hold does it).
 * MinSize drops to 0 so the autoscaler can still remove nodes that became idle: running pods are never
 * evicted by the hold, nodes drain through the autoscaler's normal scale-down as their work ends.
 */
import {
    AutoScalingClient, AutoScalingGroup, CreateOrUpdateTagsCommand, DeleteTagsCommand, DescribeAutoScalingGroupsCommand,
    ResumeProcessesCommand, SuspendProcessesCommand, UpdateAutoScalingGroupCommand,
} from "@aws-sdk/client-auto-scaling";
import { DescribeNodegroupCommand, EKSClient, ListNodegroupsCommand } from "@aws-sdk/client-eks";

import { HOLD_PROCESSES, HOLD_TAG, TEAM_TAG } from "./constants";

export { HOLD_PROCESSES, HOLD_TAG, TEAM_TAG };

/** What the hold changed on one group; stored as JSON in the HOLD_TAG value (well under 256 characters). */
export interface HoldRecord {
    /** When the hold was first applied (ISO 8601). */
    at: string;
    /** MinSize and MaxSize before the hold. DesiredCapacity is the autoscaler's, so it is not restored. */
    minSize: number;
    maxSize: number;
    /** Processes the hold suspended (those already suspended by someone else stay suspended on release). */
    suspended: string[];
}

export interface Clients {
    eks: Pick<EKSClient, "send">;
    autoscaling: Pick<AutoScalingClient, "send">;
    /** Waits between retries of a throttled call; injectable so tests do not sleep. */
    sleep?: (ms: number) => Promise<void>;
}

export type GroupOutcome =
    | { nodeGroup: string; asg: string; status: "held"; record: HoldRecord; changes: string[] }
    | { nodeGroup: string; asg: string; status: "already-held"; changes: string[] }
    | { nodeGroup: string; asg: string; status: "released"; record: HoldRecord }
    | { nodeGroup: string; asg: string; status: "not-held" }
    | { nodeGroup: string; asg: string; status: "failed"; error: string };

export interface Report {
    action: "hold" | "release";
    cluster: string;
    team: string;
    groups: GroupOutcome[];
    /** True when any group failed: callers exit non-zero (the Lambda throws so SNS retries it). */
    failed: boolean;
}

const THROTTLE_CODES = new Set(["Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded"]);

/** Retry throttled calls with exponential backoff; the operations the hold uses are safe to repeat. */
export async function withRetry<T>(call: () => Promise<T>, sleep: (ms: number) => Promise<void>, attempts = 6): Promise<T> {
    for (let i = 1; ; i++) {
        try {
            return await call();
        } catch (e) {
            const name = (e as { name?: string }).name ?? "";
            if (!THROTTLE_CODES.has(name) || i >= attempts) throw e;
            await sleep(Math.min(200 * 2 ** i, 10_000));
        }
    }
}

export function parseHoldRecord(value: string | undefined): HoldRecord | undefined {
    if (value === undefined) return undefined;
    const r = JSON.parse(value) as Partial<HoldRecord>;
    if (typeof r.minSize !== "number" || typeof r.maxSize !== "number" || !Array.isArray(r.suspended) || typeof r.at !== "string") {
        throw new Error(`tag ${HOLD_TAG} is not a hold record: ${value}`);
    }
    return r as HoldRecord;
}

interface TeamGroup { nodeGroup: string; asg: string }

/** The team's node groups in the cluster (by their `team` tag) and their Auto Scaling groups. */
export async function teamGroups(cluster: string, team: string, c: Clients): Promise<TeamGroup[]> {
    const sleep = c.sleep ?? defaultSleep;
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
        const page = await withRetry(() => c.eks.send(new ListNodegroupsCommand({ clusterName: cluster, nextToken })), sleep);
        names.push(...(page.nodegroups ?? []));
        nextToken = page.nextToken;
    } while (nextToken);
    const groups: TeamGroup[] = [];
    for (const nodegroupName of names) {
        const { nodegroup } = await withRetry(() => c.eks.send(new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName })), sleep);
        if (nodegroup?.tags?.[TEAM_TAG] !== team) continue;
        for (const asg of nodegroup.resources?.autoScalingGroups ?? []) if (asg.name) groups.push({ nodeGroup: nodegroupName, asg: asg.name });
    }
    return groups;
}

async function describe(asgs: string[], c: Clients): Promise<Map<string, AutoScalingGroup>> {
    const sleep = c.sleep ?? defaultSleep;
    const found = new Map<string, AutoScalingGroup>();
    // DescribeAutoScalingGroups takes at most 100 names per call.
    for (let i = 0; i < asgs.length; i += 100) {
        let nextToken: string | undefined;
        do {
            const page = await withRetry(() => c.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: asgs.slice(i, i + 100), NextToken: nextToken })), sleep);
            for (const g of page.AutoScalingGroups ?? []) if (g.AutoScalingGroupName) found.set(g.AutoScalingGroupName, g);
            nextToken = page.NextToken;
        } while (nextToken);
    }
    return found;
}

const tagValue = (g: AutoScalingGroup, key: string) => g.Tags?.find((t) => t.Key === key)?.Value;
const suspendedOf = (g: AutoScalingGroup) => new Set((g.SuspendedProcesses ?? []).map((p) => p.ProcessName ?? ""));

/**
 * Hold one group. The record is written first and never overwritten, so a hold interrupted halfway is
 * completed by running it again (SNS retries the Lambda) and a release always restores the pre-hold state.
 */
async function holdGroup(g: AutoScalingGroup, now: Date, c: Clients): Promise<{ record?: HoldRecord; changes: string[] }> {
    const sleep = c.sleep ?? defaultSleep;
    const name = g.AutoScalingGroupName!;
    const existing = parseHoldRecord(tagValue(g, HOLD_TAG));
    const suspended = suspendedOf(g);
    const changes: string[] = [];
    let record: HoldRecord | undefined;
    if (!existing) {
        record = {
            at: now.toISOString(), minSize: g.MinSize ?? 0, maxSize: g.MaxSize ?? 0,
            suspended: HOLD_PROCESSES.filter((p) => !suspended.has(p)),
        };
        await withRetry(() => c.autoscaling.send(new CreateOrUpdateTagsCommand({
            Tags: [{ ResourceId: name, ResourceType: "auto-scaling-group", Key: HOLD_TAG, Value: JSON.stringify(record), PropagateAtLaunch: false }],
        })), sleep);
        changes.push(`recorded ${HOLD_TAG}`);
    }
    const toSuspend = HOLD_PROCESSES.filter((p) => !suspended.has(p));
    if (toSuspend.length > 0) {
        await withRetry(() => c.autoscaling.send(new SuspendProcessesCommand({ AutoScalingGroupName: name, ScalingProcesses: [...toSuspend] })), sleep);
        changes.push(`suspended ${toSuspend.join(", ")}`);
    }
    const desired = g.DesiredCapacity ?? 0;
    if ((g.MaxSize ?? 0) > desired || (g.MinSize ?? 0) > 0) {
        await withRetry(() => c.autoscaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: name, MinSize: 0, MaxSize: desired })), sleep);
        changes.push(`min ${g.MinSize}→0, max ${g.MaxSize}→${desired}`);
    }
    return { record, changes };
}

/** Hold every GPU node group of the team: no new instance starts by any path until released. */
export async function hold(cluster: string, team: string, c: Clients, now = new Date()): Promise<Report> {
    const groups = await teamGroups(cluster, team, c);
    const states = await describe(groups.map((g) => g.asg), c);
    const outcomes: GroupOutcome[] = [];
    for (const { nodeGroup, asg } of groups) {
        const g = states.get(asg);
        if (!g) {
            outcomes.push({ nodeGroup, asg, status: "failed", error: "Auto Scaling group not found" });
            continue;
        }
        try {
            const { record, changes } = await holdGroup(g, now, c);
            outcomes.push(record ? { nodeGroup, asg, status: "held", record, changes } : { nodeGroup, asg, status: "already-held", changes });
        } catch (e) {
            // One group failing must not leave the others unheld: carry on, report, fail the run.
            outcomes.push({ nodeGroup, asg, status: "failed", error: errorText(e) });
        }
    }
    return { action: "hold", cluster, team, groups: outcomes, failed: outcomes.some((o) => o.status === "failed") };
}

/** Restore exactly what the hold changed; the record tag goes last, so a failed release can be re-run. */
export async function release(cluster: string, team: string, c: Clients): Promise<Report> {
    const sleep = c.sleep ?? defaultSleep;
    const groups = await teamGroups(cluster, team, c);
    const states = await describe(groups.map((g) => g.asg), c);
    const outcomes: GroupOutcome[] = [];
    for (const { nodeGroup, asg } of groups) {
        const g = states.get(asg);
        try {
            if (!g) throw new Error("Auto Scaling group not found");
            const record = parseHoldRecord(tagValue(g, HOLD_TAG));
            if (!record) {
                outcomes.push({ nodeGroup, asg, status: "not-held" });
                continue;
            }
            // Raising MinSize above the current size raises DesiredCapacity with it (UpdateAutoScalingGroup semantics).
            await withRetry(() => c.autoscaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: asg, MinSize: record.minSize, MaxSize: record.maxSize })), sleep);
            if (record.suspended.length > 0) {
                await withRetry(() => c.autoscaling.send(new ResumeProcessesCommand({ AutoScalingGroupName: asg, ScalingProcesses: record.suspended })), sleep);
            }
            await withRetry(() => c.autoscaling.send(new DeleteTagsCommand({ Tags: [{ ResourceId: asg, ResourceType: "auto-scaling-group", Key: HOLD_TAG }] })), sleep);
            outcomes.push({ nodeGroup, asg, status: "released", record });
        } catch (e) {
            outcomes.push({ nodeGroup, asg, status: "failed", error: errorText(e) });
        }
    }
    return { action: "release", cluster, team, groups: outcomes, failed: outcomes.some((o) => o.status === "failed") };
}

/** One line per group, for logs, the alert topic and the release command. */
export function describeReport(r: Report): string {
    const lines = [`budget ${r.action} of team ${r.team} in cluster ${r.cluster}: ${r.groups.length} GPU node group(s)${r.failed ? ", WITH FAILURES" : ""}`];
    for (const o of r.groups) {
        const detail = o.status === "held" || o.status === "already-held" ? o.changes.join("; ") || "nothing to change"
            : o.status === "released" ? `min ${o.record.minSize}, max ${o.record.maxSize}, resumed ${o.record.suspended.join(", ") || "nothing"}`
                : o.status === "failed" ? o.error : "";
        lines.push(`  ${o.nodeGroup} (${o.asg}): ${o.status}${detail ? ` — ${detail}` : ""}`);
    }
    return lines.join("\n");
}

function errorText(e: unknown): string {
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

function defaultSleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
