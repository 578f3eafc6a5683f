import { CreateTagsCommand, paginateDescribeInstances } from "@aws-sdk/client-ec2";
import { DescribeNodegroupCommand, Nodegroup, TagResourceCommand, UpdateNodegroupConfigCommand } from "@aws-sdk/client-eks";
import { AddTagsToResourceCommand } from "@aws-sdk/client-elasticache";
import type { NodeGroupConfig } from "../components/config";
import { IDLE_GPU_MEMORY, IDLE_GPU_PEAK } from "./analyze";
import { AuditClients } from "./clients";
import { aws, AuditError } from "./errors";
import { byPrefix, metricData, nodeMetricSearches } from "./metrics";
import { formatRestorePoint, parseRestorePoint, RESTORE_TAG, REVIEW_TAG, RestorePoint } from "./restorePoint";
import type { Finding } from "./run";
import { peakOf } from "./stats";

export { RESTORE_TAG, REVIEW_TAG };

export interface CleanupAction {
    finding: Finding["kind"] | "restore";
    resource: string;
    action: string;
    /** How to undo it (exact sizes for a node group). */
    undo: string;
    /** `would`: dry run; `skipped`: refused or not needed (see reason); `failed`: see reason for what state it left. */
    status: "would" | "applied" | "skipped" | "failed";
    reason?: string;
    restorePoint?: RestorePoint;
}

export interface CleanupOptions {
    cluster: string;
    stack: string;
    environment: string;
    /** `--yes`: act; otherwise only say what would be done. */
    apply: boolean;
    /** `--allow <id>`: resources named explicitly, the only ones acted on in a prod stack or of a production-tier team. */
    allow: ReadonlySet<string>;
    productionTeams: ReadonlySet<string>;
    /** The stack's node group config: schedules that would raise a scaled-down group again. */
    nodeGroups: readonly NodeGroupConfig[];
    now: Date;
    log: (s: string) => void;
}

/** How long before "now" the verdict is re-checked, at 5-minute resolution, right before acting. */
export const RECHECK_HOURS = 3;

/**
 * The verdict again, on the group's running nodes over the last RECHECK_HOURS: returns why acting would
 * be wrong now, or undefined when it is still idle.
 */
async function recheckIdle(clients: AuditClients, cluster: string, group: string, now: Date): Promise<string | undefined> {
    const ids: string[] = [];
    await aws("ec2", "DescribeInstancesCommand", async () => {
        const filters = [{ Name: "tag:eks:cluster-name", Values: [cluster] }, { Name: "tag:eks:nodegroup-name", Values: [group] }, { Name: "instance-state-name", Values: ["pending", "running"] }];
        for await (const page of paginateDescribeInstances({ client: clients.ec2 }, { Filters: filters })) {
            for (const r of page.Reservations ?? []) for (const i of r.Instances ?? []) if (i.InstanceId) ids.push(i.InstanceId);
        }
    });
    if (ids.length === 0) return undefined;
    const start = new Date(now.getTime() - RECHECK_HOURS * 3600_000);
    const r = await metricData(clients, [
        ...nodeMetricSearches("um", "node_gpu_utilization", "Maximum", cluster, ids, 300),
        ...nodeMetricSearches("mm", "node_gpu_memory_utilization", "Maximum", cluster, ids, 300),
        ...nodeMetricSearches("ga", "node_gpu_usage_total", "Maximum", cluster, ids, 300),
    ], start, now);
    const util = byPrefix(r, "um"), mem = byPrefix(r, "mm"), alloc = byPrefix(r, "ga");
    const incomplete = [...util.incomplete, ...mem.incomplete, ...alloc.incomplete];
    if (incomplete.length > 0) return `could not re-check the last ${RECHECK_HOURS} h (${incomplete.join("; ")})`;
    if (util.series.every((s) => s.values.length === 0)) return `no GPU metrics for its ${ids.length} running node(s) in the last ${RECHECK_HOURS} h: cannot confirm it is still idle`;
    const peak = peakOf(util.series) ?? 0, memory = peakOf(mem.series) ?? 0, held = peakOf(alloc.series) ?? 0;
    if (peak >= IDLE_GPU_PEAK) return `busy since the audit: GPU utilisation peaked at ${peak.toFixed(1)} % in the last ${RECHECK_HOURS} h`;
    if (memory >= IDLE_GPU_MEMORY) return `busy since the audit: GPU memory at ${memory.toFixed(1)} % in the last ${RECHECK_HOURS} h (a model is loaded)`;
    if (held > 0) return `busy since the audit: pods hold ${held} GPU(s)`;
    return undefined;
}

function refusal(f: Finding, o: CleanupOptions): string | undefined {
    if (o.allow.has(f.target.id)) return undefined;
    if (o.environment === "prod") return `refused: stack ${o.stack} is prod; pass --allow ${f.target.id} to act on this resource`;
    if (f.target.service === "eks" && o.productionTeams.has(f.team)) return `refused: ${f.team} is a production-tier team; pass --allow ${f.target.id} to act on this group`;
    return undefined;
}

/** Schedules of the stack that would raise the group again after a scale-down, fighting the clean-up. */
function raisingSchedules(group: string, o: CleanupOptions): string | undefined {
    const cfg = o.nodeGroups.find((g) => g.name === group);
    if (!cfg) return undefined;
    const raising = cfg.schedules.filter((s) => s.desiredSize > 0 || s.minSize > 0).map((s) => `${s.name} (${s.cron} ${s.timezone}: desired ${s.desiredSize})`);
    return raising.length === 0 ? undefined : `${raising.join(", ")} would scale it up again; change the schedule in stacks/Pulumi.${o.stack}.yaml instead`;
}

const restoreCommand = (o: CleanupOptions) => `npm run audit -- --stack ${o.stack} --restore --yes`;

async function cleanNodeGroup(clients: AuditClients, f: Finding, o: CleanupOptions, record: (a: Omit<CleanupAction, "finding" | "resource">) => void): Promise<void> {
    const action = "set desired size 0 (minSize and maxSize unchanged) and tag for review";
    const refused = refusal(f, o) ?? raisingSchedules(f.target.id, o);
    if (refused) return record({ action, undo: "nothing was changed", status: "skipped", reason: refused });
    // Re-read the group: the audit may be minutes old and someone (or the autoscaler) may have acted since.
    let nodegroup: Nodegroup | undefined;
    try {
        nodegroup = (await aws("eks", "DescribeNodegroupCommand", () => clients.eks.send(new DescribeNodegroupCommand({ clusterName: o.cluster, nodegroupName: f.target.id })))).nodegroup;
    } catch (e) {
        return record({ action, undo: "nothing was changed", status: "failed", reason: `could not re-read the group: ${(e as Error).message}` });
    }
    const s = { minSize: nodegroup?.scalingConfig?.minSize ?? 0, maxSize: nodegroup?.scalingConfig?.maxSize ?? 0, desiredSize: nodegroup?.scalingConfig?.desiredSize ?? 0 };
    const existing = parseRestorePoint(nodegroup?.tags?.[RESTORE_TAG]);
    if (nodegroup?.status && nodegroup.status !== "ACTIVE") return record({ action, undo: "nothing was changed", status: "skipped", reason: `group status is ${nodegroup.status}` });
    if (s.desiredSize === 0) return record({ action, undo: existing ? restoreCommand(o) : "nothing was changed", status: "skipped", reason: "already at desired size 0", ...(existing ? { restorePoint: existing } : {}) });
    if (s.minSize > 0) return record({ action, undo: "nothing was changed", status: "skipped", reason: `minSize is ${s.minSize} now: lower it in stacks/Pulumi.${o.stack}.yaml (Pulumi owns minSize)` });
    let busy: string | undefined;
    try {
        busy = await recheckIdle(clients, o.cluster, f.target.id, o.now);
    } catch (e) {
        busy = `could not re-check: ${(e as Error).message}`;
    }
    if (busy) return record({ action, undo: "nothing was changed", status: "skipped", reason: busy });
    // A second run never replaces the first restore point: it holds the sizes from before any clean-up.
    const restorePoint = existing ?? { ...s, recordedAt: o.now.toISOString().slice(0, 16) + "Z" };
    const undo = `${restoreCommand(o)} (sets minSize ${restorePoint.minSize}, desired ${restorePoint.desiredSize})`;
    if (!o.apply) return record({ action, undo, status: "would", restorePoint });
    if (!f.target.arn) return record({ action, undo: "nothing was changed", status: "skipped", reason: "no ARN to record a restore point on" });
    try {
        const tags = { [REVIEW_TAG]: `${f.kind} ${o.now.toISOString().slice(0, 10)}`, ...(existing ? {} : { [RESTORE_TAG]: formatRestorePoint(restorePoint) }) };
        await aws("eks", "TagResourceCommand", () => clients.eks.send(new TagResourceCommand({ resourceArn: f.target.arn!, tags })));
    } catch (e) {
        return record({ action, undo: "nothing was changed", status: "failed", reason: `restore point not recorded, so the group was not scaled: ${(e as Error).message}` });
    }
    try {
        await aws("eks", "UpdateNodegroupConfigCommand", () => clients.eks.send(new UpdateNodegroupConfigCommand({
            clusterName: o.cluster, nodegroupName: f.target.id, scalingConfig: { minSize: s.minSize, maxSize: s.maxSize, desiredSize: 0 },
        })));
    } catch (e) {
        return record({ action, undo: `size unchanged; remove the tags with ${restoreCommand(o)}`, status: "failed", reason: `restore point recorded but the scale-down failed: ${(e as Error).message}`, restorePoint });
    }
    record({ action, undo, status: "applied", restorePoint });
}

async function tagForReview(clients: AuditClients, f: Finding, o: CleanupOptions, record: (a: Omit<CleanupAction, "finding" | "resource">) => void): Promise<void> {
    const action = f.kind === "idle-cache" ? "tag for review (data stores are never scaled or deleted)" : "tag for review";
    const undo = `remove tag ${REVIEW_TAG}`;
    const refused = refusal(f, o);
    if (refused) return record({ action, undo: "nothing was changed", status: "skipped", reason: refused });
    if (!o.apply) return record({ action, undo, status: "would" });
    const value = `${f.kind} ${o.now.toISOString().slice(0, 10)}`;
    try {
        if (f.kind === "idle-cache") await aws("elasticache", "AddTagsToResourceCommand", () => clients.elasticache.send(new AddTagsToResourceCommand({ ResourceName: f.target.arn!, Tags: [{ Key: REVIEW_TAG, Value: value }] })));
        else await aws("ec2", "CreateTagsCommand", () => clients.ec2.send(new CreateTagsCommand({ Resources: [f.target.id], Tags: [{ Key: REVIEW_TAG, Value: value }] })));
    } catch (e) {
        return record({ action, undo: "nothing was changed", status: "failed", reason: (e as Error).message });
    }
    record({ action, undo, status: "applied" });
}

/**
 * Reversible clean-up only. An idle GPU node group (minSize 0) gets desired size 0: the one field Pulumi
 * ignores (components/gpuNodeGroup.ts ignoreChanges), so no `pulumi up` fights it, and the Cluster
 * Autoscaler still adds nodes when a pod needs a GPU. Before acting it refuses prod and production-tier
 * resources not named by --allow and groups whose schedules would raise them again, re-reads the group,
 * re-checks the verdict on the last hours, and records the restore point (never overwriting one) before
 * changing anything. Idle caches, unattached volumes and idle NAT gateways are only tagged. Every action
 * is attempted and reported on its own; nothing is ever deleted.
 */
export async function cleanup(clients: AuditClients, findings: Finding[], o: CleanupOptions): Promise<CleanupAction[]> {
    const actions: CleanupAction[] = [];
    let stop: string | undefined;
    for (const f of findings) {
        const record = (a: Omit<CleanupAction, "finding" | "resource">) => {
            const done = { finding: f.kind, resource: f.resource, ...a };
            actions.push(done);
            o.log(`${done.status}: ${done.action} (${done.resource})${done.reason ? `: ${done.reason}` : ""}; undo: ${done.undo}`);
        };
        const acts = f.kind === "idle-gpu-node-group" || f.kind === "idle-cache" && !!f.target.arn || f.kind === "unattached-volume" || f.kind === "idle-nat-gateway";
        if (!acts) continue;
        if (stop) {
            record({ action: "none", undo: "nothing was changed", status: "skipped", reason: `not attempted: ${stop}` });
            continue;
        }
        const before = actions.length;
        try {
            if (f.kind === "idle-gpu-node-group") await cleanNodeGroup(clients, f, o, record);
            else await tagForReview(clients, f, o, record);
        } catch (e) {
            if (!(e instanceof AuditError)) throw e;
            if (actions.length === before) record({ action: "clean-up", undo: "see the group's state", status: "failed", reason: e.message });
        }
        const last = actions[actions.length - 1];
        if (last?.status === "failed" && /credentials/.test(last.reason ?? "")) stop = last.reason;
    }
    return actions;
}
