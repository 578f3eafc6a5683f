import { MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { cacheNodeHourly, EBS_PER_GIB_MONTH, HOURS_PER_MONTH, regionPriceFactor, roundCents as round, UNIT_PRICES } from "../components/catalog";
import type { StackConfig } from "../components/config";
import { PLATFORM_TEAM, REQUIRED_TAG_KEYS, TAG_KEYS } from "../components/tags";
import { Recommendation, teamSavings } from "./analyze";
import { AuditClients } from "./clients";
import { AuditError } from "./errors";
import * as collect from "./collect";
import { metricData } from "./metrics";
import { auditNodeGroups, GroupReport, unauditable } from "./nodeGroupAudit";

export type FindingKind = "idle-gpu-node-group" | "idle-cache" | "missing-chargeback-tags" | "unattached-volume" | "detached-persistent-volume" | "idle-nat-gateway";

export interface Finding {
    kind: FindingKind;
    team: string;
    resource: string;
    /** What to act on: node group name, replication group id, ARN or resource id. */
    target: { service: "eks" | "elasticache" | "ec2" | "other"; id: string; arn?: string };
    evidence: { metric: string; period: string; value: string };
    monthlyWasteUsd?: number;
    detail: string;
}

/** A check that could not run (a call failed): what and why, with the IAM action when one is missing. */
export interface Unaudited {
    check: string;
    reason: string;
    action?: string;
}

/** A resource whose data did not allow a verdict (no datapoints, or a non-Complete metric result). */
export interface Unknown {
    resource: string;
    reason: string;
}

export interface AuditResult {
    stack: string;
    environment: string;
    region: string;
    cluster: string;
    period: { days: number; start: string; end: string };
    /** `partial` when some check could not run (see `unaudited`): the CLI exits 4. */
    status: "complete" | "partial";
    findings: Finding[];
    usage: GroupReport[];
    recommendations: Recommendation[];
    byTeam: Record<string, { monthlyWasteUsd: number; monthlySavingUsd: number; findings: number }>;
    unaudited: Unaudited[];
    unknown: Unknown[];
    /** Paste into policies/config/<env>.json to let `right-size-from-usage` judge requested capacity. */
    policyConfig: Record<string, unknown>;
}

export interface AuditOptions {
    stack: string;
    config: StackConfig;
    days: number;
    now?: Date;
    progress?: collect.Progress;
    /** The environment's `gpu-instance-allowlist` patterns (policies/config/<env>.json). */
    allowedInstanceTypes?: readonly string[];
}

const HOUR = 3600;

/** Sum of every datapoint of a query, or undefined when it returned none (unknown, never zero). */
function total(series: { values: number[] }[] | undefined): number | undefined {
    const values = (series ?? []).flatMap((s) => s.values).filter((v) => typeof v === "number" && Number.isFinite(v));
    return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0);
}

/**
 * Scan the account for one stack's environment: zombies, untagged resources, right-sizing, usage. Each
 * check runs on its own: a failed call costs that check (listed in `unaudited`), not the whole report;
 * only expired/invalid credentials and an unknown cluster stop the run.
 */
export async function runAudit(clients: AuditClients, opts: AuditOptions): Promise<AuditResult> {
    const progress = opts.progress ?? (() => undefined);
    const { config } = opts;
    const region = config.region ?? "us-east-1";
    const cluster = config.cluster.name;
    const end = opts.now ?? new Date();
    const start = new Date(end.getTime() - opts.days * 24 * HOUR * 1000);
    const periodText = `${opts.days} days to ${end.toISOString().slice(0, 10)}`;
    const wholePeriod = opts.days * 24 * HOUR;
    const findings: Finding[] = [];
    const unaudited: Unaudited[] = [];
    const unknown: Unknown[] = [];
    const section = async (check: string, run: () => Promise<void>) => {
        try {
            await run();
        } catch (e) {
            unaudited.push(unauditable(e, check));
        }
    };

    // First call: an unknown cluster or dead credentials stop here; a denied DescribeCluster costs the NAT check only.
    progress(`describing cluster ${cluster}`);
    let vpc: string | undefined;
    await section("idle NAT gateways (the cluster's VPC)", async () => {
        vpc = await collect.clusterVpc(clients, cluster, region);
    });

    const gpu = await auditNodeGroups(clients, { cluster, config, region, start, end, periodText, progress, ...(opts.allowedInstanceTypes ? { allowedInstanceTypes: opts.allowedInstanceTypes } : {}) });
    findings.push(...gpu.findings);
    unaudited.push(...gpu.unaudited);
    for (const u of gpu.usage) if (u.verdict.kind === "unknown") unknown.push({ resource: `node group ${u.name}`, reason: u.verdict.rule });

    // Everything in the environment and everything Kubernetes created for the cluster, with their tags.
    progress("reading tags (Resource Groups Tagging API)");
    let envResources: collect.TaggedResource[] | undefined;
    await section("chargeback tags of the environment's resources", async () => {
        envResources = await collect.taggedResources(clients, [{ Key: TAG_KEYS.environment, Values: [config.environment] }]);
    });
    let clusterResources: collect.TaggedResource[] = [];
    await section("chargeback tags of the cluster's Kubernetes-created resources", async () => {
        clusterResources = await collect.taggedResources(clients, [{ Key: `kubernetes.io/cluster/${cluster}` }]);
    });
    const seen = new Set<string>();
    for (const r of [...(envResources ?? []), ...clusterResources]) {
        if (seen.has(r.arn)) continue;
        seen.add(r.arn);
        const missing = REQUIRED_TAG_KEYS.filter((k) => !r.tags[k] || r.tags[k].trim() === "");
        if (missing.length === 0) continue;
        findings.push({
            kind: "missing-chargeback-tags", team: r.tags[TAG_KEYS.team] || "(untagged)", resource: r.arn, target: { service: "other", id: r.arn, arn: r.arn },
            evidence: { metric: "tags", period: "now", value: `missing ${missing.join(", ")}` },
            detail: "its cost cannot be charged back until it carries every chargeback tag",
        });
    }

    // Caches of this environment with no commands all period; no datapoints is unknown, not idle.
    progress("checking ElastiCache groups");
    await section("idle ElastiCache groups", async () => {
        if (!envResources) throw new AuditError("skipped: which caches belong to the environment comes from tag:GetResources, which failed", 3, "failed", "tag:GetResources");
        const envArns = new Set(envResources.map((r) => r.arn));
        const caches = (await collect.cacheGroups(clients)).filter((c) => envArns.has(c.arn));
        const metrics = ["GetTypeCmds", "SetTypeCmds", "EvalBasedCmds"];
        const queries: MetricDataQuery[] = caches.flatMap((c, ci) => c.members.flatMap((m, mi) => metrics.map((metric) => ({
            Id: `c${ci}_${mi}_${metric.toLowerCase()}`,
            MetricStat: { Metric: { Namespace: "AWS/ElastiCache", MetricName: metric, Dimensions: [{ Name: "CacheClusterId", Value: m }] }, Period: wholePeriod, Stat: "Sum" },
            ReturnData: true,
        }))));
        const data = await metricData(clients, queries, start, end);
        caches.forEach((c, ci) => {
            if (c.members.length === 0) return;
            const ids = queries.map((q) => q.Id!).filter((id) => id.startsWith(`c${ci}_`));
            const problems = ids.filter((id) => data.incomplete.has(id)).map((id) => `${id}: ${data.incomplete.get(id)}`);
            const counts = ids.map((id) => total(data.series.get(id)));
            if (problems.length > 0) return void unknown.push({ resource: `cache ${c.id}`, reason: `metric data incomplete (${problems.join("; ")})` });
            if (counts.every((n) => n === undefined)) return void unknown.push({ resource: `cache ${c.id}`, reason: "no GetTypeCmds/SetTypeCmds/EvalBasedCmds datapoints in the period" });
            if (counts.some((n) => (n ?? 0) > 0)) return;
            const hourly = cacheNodeHourly(c.nodeType, region);
            const team = envResources!.find((r) => r.arn === c.arn)?.tags[TAG_KEYS.team] ?? PLATFORM_TEAM;
            findings.push({
                kind: "idle-cache", team, resource: `cache ${c.id}`, target: { service: "elasticache", id: c.id, arn: c.arn },
                evidence: { metric: "AWS/ElastiCache GetTypeCmds + SetTypeCmds + EvalBasedCmds (sum)", period: periodText, value: "0 commands" },
                ...(hourly !== undefined ? { monthlyWasteUsd: round(hourly * HOURS_PER_MONTH * c.members.length) } : {}),
                detail: "no reads, writes or scripts all period; review before removing (the audit never deletes data stores)",
            });
        });
    });

    progress("checking unattached volumes and NAT gateways");
    const factor = regionPriceFactor(region);
    await section("unattached EBS volumes", async () => {
        for (const v of await collect.unattachedVolumes(clients, cluster, config.environment)) {
            const price = EBS_PER_GIB_MONTH[v.type];
            const cost = price !== undefined && factor !== undefined ? round(v.sizeGiB * price * factor) : undefined;
            const pv = v.tags[collect.CSI_TAGS.pvName];
            const claim = v.tags[collect.CSI_TAGS.pvcName] ? `${v.tags[collect.CSI_TAGS.pvcNamespace] ?? "?"}/${v.tags[collect.CSI_TAGS.pvcName]}` : undefined;
            if (pv || v.tags[collect.CSI_TAGS.volumeName]) {
                // A PersistentVolume's disk is unattached whenever its pod is not running, and a Retain PV keeps
                // it on purpose: live data, never a zombie. Its cost is shown, not counted as waste.
                findings.push({
                    kind: "detached-persistent-volume", team: v.tags[TAG_KEYS.team] || "(untagged)", resource: `volume ${v.id}`, target: { service: "ec2", id: v.id },
                    evidence: { metric: "EC2 volume state and EBS CSI tags", period: "now", value: `available (unattached), ${v.sizeGiB} GiB ${v.type}, PersistentVolume ${pv ?? v.tags[collect.CSI_TAGS.volumeName]}${claim ? `, claim ${claim}` : ""}${cost !== undefined ? `, costs ${cost.toFixed(2)} USD/month` : ""}` },
                    detail: `belongs to a PersistentVolume: check \`kubectl get pv ${pv ?? v.tags[collect.CSI_TAGS.volumeName]}\`; if it still exists (Bound with its workload scaled to zero, or Released under Retain) the data is kept on purpose; delete the PV first, never the volume behind it`,
                });
                continue;
            }
            findings.push({
                kind: "unattached-volume", team: v.tags[TAG_KEYS.team] || "(untagged)", resource: `volume ${v.id}`, target: { service: "ec2", id: v.id },
                evidence: { metric: "EC2 volume state", period: "now", value: `available (unattached), ${v.sizeGiB} GiB ${v.type}, no PersistentVolume tags` },
                ...(cost !== undefined ? { monthlyWasteUsd: cost } : {}),
                detail: "not a Kubernetes PersistentVolume (no EBS CSI tags); snapshot it if needed, then delete",
            });
        }
    });
    const vpcId = vpc as string | undefined;
    if (vpcId) {
        await section("idle NAT gateways", async () => {
            const nats = await collect.natGateways(clients, vpcId);
            // Traffic both ways and open connections: a gateway that only receives, or holds idle connections, is in use.
            const metrics = [["out", "BytesOutToDestination", "Sum"], ["in", "BytesInFromSource", "Sum"], ["conn", "ActiveConnectionCount", "Maximum"]] as const;
            const data = await metricData(clients, nats.flatMap((n, i) => metrics.map(([key, metric, stat]) => ({
                Id: `n${i}_${key}`,
                MetricStat: { Metric: { Namespace: "AWS/NATGateway", MetricName: metric, Dimensions: [{ Name: "NatGatewayId", Value: n.id }] }, Period: wholePeriod, Stat: stat },
                ReturnData: true,
            }))), start, end);
            nats.forEach((n, i) => {
                const ids = metrics.map(([key]) => `n${i}_${key}`);
                const problems = ids.filter((id) => data.incomplete.has(id)).map((id) => `${id}: ${data.incomplete.get(id)}`);
                if (problems.length > 0) return void unknown.push({ resource: `NAT gateway ${n.id}`, reason: `metric data incomplete (${problems.join("; ")})` });
                const [out, inbound] = [total(data.series.get(ids[0])), total(data.series.get(ids[1]))];
                const connections = (data.series.get(ids[2]) ?? []).flatMap((x) => x.values).filter((v) => Number.isFinite(v));
                if (out === undefined || inbound === undefined) return void unknown.push({ resource: `NAT gateway ${n.id}`, reason: "no BytesOutToDestination/BytesInFromSource datapoints in the period" });
                const bytes = out + inbound;
                if (bytes > 1024 * 1024 || connections.some((c) => c > 0)) return;
                findings.push({
                    kind: "idle-nat-gateway", team: n.tags[TAG_KEYS.team] || PLATFORM_TEAM, resource: `NAT gateway ${n.id}`, target: { service: "ec2", id: n.id },
                    evidence: { metric: "AWS/NATGateway BytesOutToDestination + BytesInFromSource (sum), ActiveConnectionCount (max)", period: periodText, value: `${Math.round(bytes)} bytes, no active connection` },
                    ...(factor !== undefined ? { monthlyWasteUsd: round((UNIT_PRICES.natGatewayPerHour + UNIT_PRICES.publicIpv4PerHour) * HOURS_PER_MONTH * factor) } : {}),
                    detail: "no traffic all period; its hourly charge and public IPv4 address are pure waste",
                });
            });
        });
    }

    const byTeam: AuditResult["byTeam"] = {};
    const entry = (team: string) => (byTeam[team] ??= { monthlyWasteUsd: 0, monthlySavingUsd: 0, findings: 0 });
    for (const f of findings) {
        entry(f.team).findings++;
        entry(f.team).monthlyWasteUsd = round(entry(f.team).monthlyWasteUsd + (f.monthlyWasteUsd ?? 0));
    }
    for (const [team, saving] of Object.entries(teamSavings(gpu.recommendations))) entry(team).monthlySavingUsd = saving;

    return {
        stack: opts.stack, environment: config.environment, region, cluster,
        period: { days: opts.days, start: start.toISOString(), end: end.toISOString() },
        status: unaudited.length > 0 ? "partial" : "complete",
        findings, usage: gpu.usage, recommendations: gpu.recommendations, byTeam, unaudited, unknown,
        policyConfig: {
            "right-size-from-usage": {
                enforcementLevel: "advisory",
                marginPercent: 50,
                usage: Object.fromEntries(gpu.usage.filter((u) => u.gpu && u.incomplete.length === 0).map((u) => [u.name, {
                    p95GpuUtilization: round(u.gpu!.p95), peakNodes: u.peakNodes, demandGpus: u.demandGpus, demandSource: u.demandSource, measuredAt: end.toISOString().slice(0, 10),
                }])),
            },
        },
    };
}
