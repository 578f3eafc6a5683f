import { MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { isGpuInstance } from "../components/catalog";
import type { StackConfig } from "../components/config";
import { globMatch } from "../policies/nodeGroups";
import { monthlyCost, NodeGroupObservation, NodeGroupUsage, recommend, Recommendation, usageOf, Verdict, verdictOf } from "./analyze";
import { AuditClients } from "./clients";
import * as collect from "./collect";
import { AuditError } from "./errors";
import { byPrefix, metricData, nodeMetricSearches, SEARCH_LOOKBACK_DAYS } from "./metrics";
import type { Finding, Unaudited } from "./run";

const HOUR = 3600;

export interface GroupReport extends NodeGroupUsage {
    verdict: Verdict;
    /** What the group cost per month at the node-hours it ran. */
    monthlyCostUsd?: number;
}

export interface NodeGroupAuditContext {
    cluster: string;
    config: StackConfig;
    region: string;
    start: Date;
    end: Date;
    periodText: string;
    progress: collect.Progress;
    /** Glob patterns of the environment's `gpu-instance-allowlist`: smaller types are proposed only among them. */
    allowedInstanceTypes?: readonly string[];
}

export interface NodeGroupAudit {
    groups: collect.NodeGroupInfo[];
    usage: GroupReport[];
    findings: Finding[];
    recommendations: Recommendation[];
    unaudited: Unaudited[];
}

/** Rethrow what must stop the run; turn the rest into "could not audit X". */
export function unauditable(e: unknown, check: string): Unaudited {
    if (!(e instanceof AuditError) || e.fatal) throw e;
    return { check, reason: e.message, ...(e.action ? { action: e.action } : {}) };
}

const isGpuGroup = (g: collect.NodeGroupInfo) => g.instanceTypes.some((t) => isGpuInstance(t) || /^(g|p)\d/.test(t));

/**
 * The GPU node groups: membership from EC2 (today's and just-terminated instances) plus every node the
 * cluster's metrics saw in the window whose type only this group lists; hourly peak, memory and GPU
 * allocation per node; a verdict with its rule; recommendations priced on the node-hours run.
 */
export async function auditNodeGroups(clients: AuditClients, ctx: NodeGroupAuditContext): Promise<NodeGroupAudit> {
    const out: NodeGroupAudit = { groups: [], usage: [], findings: [], recommendations: [], unaudited: [] };
    const { cluster, config, region, start, end } = ctx;
    const spot = config.pricing.spotDiscount;
    const tiers = new Map(config.teams.map((t) => [t.id, t.gateway?.tier]));
    const windowHours = Math.round((end.getTime() - start.getTime()) / 1000 / HOUR);
    ctx.progress(`listing node groups of ${cluster}`);
    try {
        out.groups = (await collect.nodeGroups(clients, cluster, ctx.progress)).filter(isGpuGroup);
    } catch (e) {
        out.unaudited.push(unauditable(e, "GPU node groups"));
        return out;
    }
    const known = new Map<string, string[]>();
    // "Search expressions can only find metrics that have reported data in the past two weeks" (CloudWatch
    // user guide, using-search-expressions): over a longer window, nodes that stopped earlier are invisible.
    const searchBlind = windowHours > SEARCH_LOOKBACK_DAYS * 24
        ? [`node history: CloudWatch SEARCH finds only nodes that reported in the last ${SEARCH_LOOKBACK_DAYS} days; use --days ${SEARCH_LOOKBACK_DAYS} or less`] : [];
    const groupProblems = new Map<string, string[]>(out.groups.map((g) => [g.name, [...searchBlind]]));
    for (const g of out.groups) {
        try {
            known.set(g.name, await collect.groupInstanceIds(clients, cluster, g.name));
        } catch (e) {
            const u = unauditable(e, `node group ${g.name} membership`);
            out.unaudited.push(u);
            groupProblems.get(g.name)!.push(u.reason);
        }
    }
    // Nodes replaced before today: attributed by instance type when exactly one GPU group lists the type.
    const claimed = new Set([...known.values()].flat());
    const attributed = new Map<string, string[]>(out.groups.map((g) => [g.name, []]));
    try {
        const seen = await collect.metricInstances(clients, cluster, start, end, windowHours * HOUR);
        if (seen.problem) for (const p of groupProblems.values()) p.push(`node history: ${seen.problem}`);
        for (const [id, type] of seen.types) {
            if (claimed.has(id)) continue;
            const owners = out.groups.filter((g) => g.instanceTypes.includes(type));
            if (owners.length === 1) attributed.get(owners[0].name)!.push(id);
            else for (const g of owners) groupProblems.get(g.name)!.push(`node ${id} (${type}) seen in the metrics could belong to ${owners.map((o) => o.name).join(" or ")}`);
        }
    } catch (e) {
        const u = unauditable(e, "node history (cluster-wide GPU metric search)");
        out.unaudited.push(u);
        for (const p of groupProblems.values()) p.push(`node history unknown: ${u.reason}`);
    }

    for (const [i, g] of out.groups.entries()) {
        ctx.progress(`metrics ${i + 1}/${out.groups.length}: ${g.name}`);
        const ids = [...(known.get(g.name) ?? []), ...attributed.get(g.name)!];
        const observation: NodeGroupObservation = { ...g, windowHours, gpuUtilization: [], gpuUtilizationMax: [], gpuMemoryMax: [], gpusAllocated: [], incomplete: groupProblems.get(g.name)! };
        if (ids.length > 0) {
            const queries: MetricDataQuery[] = [
                ...nodeMetricSearches("ua", "node_gpu_utilization", "Average", cluster, ids, HOUR),
                ...nodeMetricSearches("um", "node_gpu_utilization", "Maximum", cluster, ids, HOUR),
                ...nodeMetricSearches("mm", "node_gpu_memory_utilization", "Maximum", cluster, ids, HOUR),
                ...nodeMetricSearches("ga", "node_gpu_usage_total", "Maximum", cluster, ids, HOUR),
            ];
            try {
                const r = await metricData(clients, queries, start, end);
                const take = (prefix: string, metric: string) => {
                    const { series, incomplete } = byPrefix(r, prefix);
                    for (const why of incomplete) observation.incomplete.push(`${metric}: ${why}`);
                    return series;
                };
                observation.gpuUtilization = take("ua", "node_gpu_utilization");
                observation.gpuUtilizationMax = take("um", "node_gpu_utilization Maximum");
                observation.gpuMemoryMax = take("mm", "node_gpu_memory_utilization");
                observation.gpusAllocated = take("ga", "node_gpu_usage_total");
            } catch (e) {
                const u = unauditable(e, `node group ${g.name} metrics`);
                out.unaudited.push(u);
                observation.incomplete.push(u.reason);
            }
        }
        const u = usageOf(observation);
        const verdict = verdictOf(g, u, tiers.get(g.team) === "production");
        const cost = monthlyCost(g, u, region, spot);
        out.usage.push({ ...u, verdict, ...(cost !== undefined ? { monthlyCostUsd: cost } : {}) });
        if (verdict.kind === "idle") {
            out.findings.push({
                kind: "idle-gpu-node-group", team: g.team, resource: `node group ${g.name}`, target: { service: "eks", id: g.name, arn: g.arn },
                evidence: {
                    metric: "ContainerInsights node_gpu_utilization and node_gpu_memory_utilization (hourly Maximum per node)",
                    period: ctx.periodText,
                    value: `peak ${u.peakGpuUtilization?.toFixed(2)} %, GPU memory peak ${u.peakGpuMemory === undefined ? "-" : `${u.peakGpuMemory.toFixed(2)} %`}, ${u.nodeHours} node-hour(s) in ${u.hoursWithData} of ${windowHours} hour(s)`,
                },
                ...(cost !== undefined ? { monthlyWasteUsd: cost } : {}),
                detail: `idle: ${verdict.rule}. Clean-up sets desired size 0 (minSize ${g.minSize}, desired ${g.desiredSize} today)`,
            });
        }
        const spotAllowed = config.environment !== "prod" || tiers.get(g.team) === "batch";
        const allowed = ctx.allowedInstanceTypes;
        const typeAllowed = allowed ? (t: string) => allowed.some((p) => globMatch(p, t)) : undefined;
        out.recommendations.push(...recommend(g, u, verdict, { region, spotDiscount: spot, spotAllowed, ...(typeAllowed ? { typeAllowed } : {}) }));
    }
    return out;
}
