import { MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { cacheNodeHourly, EBS_PER_GIB_MONTH, HOURS_PER_MONTH, isGpuInstance, regionPriceFactor, roundCents as round, UNIT_PRICES } from "../components/catalog";
import type { StackConfig } from "../components/config";
import { PLATFORM_TEAM, REQUIRED_TAG_KEYS, TAG_KEYS } from "../components/tags";
import { idleGroupWaste, isZombieGroup, NodeGroupUsage, recommend, Recommendation, usageOf, ZOMBIE_GPU_P95 } from "./analyze";
import { AuditClients } from "./clients";
import * as collect from "./collect";
import { Series } from "./stats";

export type FindingKind = "idle-gpu-node-group" | "idle-cache" | "missing-chargeback-tags" | "unattached-volume" | "idle-nat-gateway";

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

export interface AuditResult {
    stack: string;
    environment: string;
    region: string;
    cluster: string;
    period: { days: number; start: string; end: string };
    findings: Finding[];
    usage: NodeGroupUsage[];
    recommendations: Recommendation[];
    byTeam: Record<string, { monthlyWasteUsd: number; monthlySavingUsd: number; findings: number }>;
    /** Paste into policies/config/<env>.json to let `right-size-from-usage` judge requested capacity. */
    policyConfig: Record<string, unknown>;
}

export interface AuditOptions {
    stack: string;
    config: StackConfig;
    days: number;
    now?: Date;
    progress?: collect.Progress;
}

const HOUR = 3600;

/** Scan the account for one stack's environment: zombies, untagged resources, right-sizing, usage. */
export async function runAudit(clients: AuditClients, opts: AuditOptions): Promise<AuditResult> {
    const progress = opts.progress ?? (() => undefined);
    const { config } = opts;
    const region = config.region ?? "us-east-1";
    const cluster = config.cluster.name;
    const end = opts.now ?? new Date();
    const start = new Date(end.getTime() - opts.days * 24 * HOUR * 1000);
    const periodText = `${opts.days} days to ${end.toISOString().slice(0, 10)}`;
    const wholePeriod = Math.max(60, Math.floor((end.getTime() - start.getTime()) / 1000 / 60) * 60);
    const findings: Finding[] = [];
    const tiers = new Map(config.teams.map((t) => [t.id, t.gateway?.tier]));

    // GPU node groups: utilisation per group from its instances' Container Insights series.
    progress(`listing node groups of ${cluster}`);
    const groups = (await collect.nodeGroups(clients, cluster, progress)).filter((g) => g.instanceTypes.some((t) => isGpuInstance(t) || /^(g|p)\d/.test(t)));
    const usage: NodeGroupUsage[] = [];
    const recommendations: Recommendation[] = [];
    for (const [i, g] of groups.entries()) {
        progress(`metrics ${i + 1}/${groups.length}: ${g.name}`);
        const instances = await collect.groupInstanceIds(clients, cluster, g.name);
        let util = new Map<string, Series[]>();
        if (instances.length > 0) {
            util = await collect.metricData(clients, [
                collect.nodeMetricSearch("gpu", "node_gpu_utilization", cluster, instances, HOUR),
                collect.nodeMetricSearch("mem", "node_gpu_memory_utilization", cluster, instances, HOUR),
            ], start, end);
        }
        const observation = { ...g, gpuUtilization: util.get("gpu") ?? [], gpuMemoryUtilization: util.get("mem") ?? [] };
        const u = usageOf(observation);
        usage.push(u);
        if (isZombieGroup(u)) {
            findings.push({
                kind: "idle-gpu-node-group", team: g.team, resource: `node group ${g.name}`, target: { service: "eks", id: g.name, arn: g.arn },
                evidence: { metric: "ContainerInsights node_gpu_utilization p95", period: periodText, value: `${u.gpu!.p95.toFixed(2)} % (threshold ${ZOMBIE_GPU_P95} %) on ${u.averageNodes.toFixed(1)} node(s) on average` },
                monthlyWasteUsd: idleGroupWaste(observation, u, region, config.pricing.spotDiscount),
                detail: `GPUs idle all period; scale to 0 (minSize ${g.minSize}, desired ${g.desiredSize} today)`,
            });
        }
        const spotAllowed = config.environment !== "prod" || tiers.get(g.team) === "batch";
        recommendations.push(...recommend(observation, u, { region, spotDiscount: config.pricing.spotDiscount, spotAllowed }));
    }

    // Everything in the environment and everything Kubernetes created for the cluster, with their tags.
    progress("reading tags (Resource Groups Tagging API)");
    const envResources = await collect.taggedResources(clients, [{ Key: TAG_KEYS.environment, Values: [config.environment] }]);
    const clusterResources = await collect.taggedResources(clients, [{ Key: `kubernetes.io/cluster/${cluster}` }]);
    const seen = new Set<string>();
    for (const r of [...envResources, ...clusterResources]) {
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

    // Caches of this environment with no commands all period.
    progress("checking ElastiCache groups");
    const envArns = new Set(envResources.map((r) => r.arn));
    const caches = (await collect.cacheGroups(clients)).filter((c) => envArns.has(c.arn));
    const cacheQueries: MetricDataQuery[] = caches.flatMap((c, ci) => c.members.flatMap((m, mi) => ["GetTypeCmds", "SetTypeCmds"].map((metric) => ({
        Id: `c${ci}_${mi}_${metric.toLowerCase()}`,
        MetricStat: { Metric: { Namespace: "AWS/ElastiCache", MetricName: metric, Dimensions: [{ Name: "CacheClusterId", Value: m }] }, Period: wholePeriod, Stat: "Sum" },
        ReturnData: true,
    }))));
    const cacheData = await collect.metricData(clients, cacheQueries, start, end);
    caches.forEach((c, ci) => {
        const commands = [...cacheData].filter(([id]) => id.startsWith(`c${ci}_`)).flatMap(([, s]) => s.flatMap((x) => x.values)).reduce((a, b) => a + (b ?? 0), 0);
        if (commands > 0 || c.members.length === 0) return;
        const hourly = cacheNodeHourly(c.nodeType, region);
        const team = envResources.find((r) => r.arn === c.arn)?.tags[TAG_KEYS.team] ?? PLATFORM_TEAM;
        findings.push({
            kind: "idle-cache", team, resource: `cache ${c.id}`, target: { service: "elasticache", id: c.id, arn: c.arn },
            evidence: { metric: "AWS/ElastiCache GetTypeCmds + SetTypeCmds (sum)", period: periodText, value: "0 commands" },
            ...(hourly !== undefined ? { monthlyWasteUsd: round(hourly * HOURS_PER_MONTH * c.members.length) } : {}),
            detail: "no reads or writes all period; review before removing (the audit never deletes data stores)",
        });
    });

    progress("checking unattached volumes and NAT gateways");
    const factor = regionPriceFactor(region);
    for (const v of await collect.unattachedVolumes(clients, cluster, config.environment)) {
        const price = EBS_PER_GIB_MONTH[v.type];
        findings.push({
            kind: "unattached-volume", team: v.tags[TAG_KEYS.team] || "(untagged)", resource: `volume ${v.id}`, target: { service: "ec2", id: v.id },
            evidence: { metric: "EC2 volume state", period: "now", value: `available (unattached), ${v.sizeGiB} GiB ${v.type}` },
            ...(price !== undefined && factor !== undefined ? { monthlyWasteUsd: round(v.sizeGiB * price * factor) } : {}),
            detail: "left behind by a terminated node or a deleted volume claim; snapshot it if needed, then delete",
        });
    }
    const vpc = await collect.clusterVpc(clients, cluster);
    if (vpc) {
        const nats = await collect.natGateways(clients, vpc);
        const natData = await collect.metricData(clients, nats.map((n, i) => ({
            Id: `n${i}`,
            MetricStat: { Metric: { Namespace: "AWS/NATGateway", MetricName: "BytesOutToDestination", Dimensions: [{ Name: "NatGatewayId", Value: n.id }] }, Period: wholePeriod, Stat: "Sum" },
            ReturnData: true,
        })), start, end);
        nats.forEach((n, i) => {
            const bytes = (natData.get(`n${i}`) ?? []).flatMap((s) => s.values).reduce((a, b) => a + (b ?? 0), 0);
            if (bytes > 1024 * 1024) return;
            findings.push({
                kind: "idle-nat-gateway", team: n.tags[TAG_KEYS.team] || PLATFORM_TEAM, resource: `NAT gateway ${n.id}`, target: { service: "ec2", id: n.id },
                evidence: { metric: "AWS/NATGateway BytesOutToDestination (sum)", period: periodText, value: `${Math.round(bytes)} bytes` },
                ...(factor !== undefined ? { monthlyWasteUsd: round((UNIT_PRICES.natGatewayPerHour + UNIT_PRICES.publicIpv4PerHour) * HOURS_PER_MONTH * factor) } : {}),
                detail: "no traffic all period; its hourly charge and public IPv4 address are pure waste",
            });
        });
    }

    const byTeam: AuditResult["byTeam"] = {};
    const entry = (team: string) => (byTeam[team] ??= { monthlyWasteUsd: 0, monthlySavingUsd: 0, findings: 0 });
    for (const f of findings) {
        entry(f.team).findings++;
        entry(f.team).monthlyWasteUsd = round(entry(f.team).monthlyWasteUsd + (f.monthlyWasteUsd ?? 0));
    }
    for (const r of recommendations) entry(r.team).monthlySavingUsd = round(entry(r.team).monthlySavingUsd + r.monthlySavingUsd);

    return {
        stack: opts.stack, environment: config.environment, region, cluster,
        period: { days: opts.days, start: start.toISOString(), end: end.toISOString() },
        findings, usage, recommendations, byTeam,
        policyConfig: {
            "right-size-from-usage": {
                enforcementLevel: "advisory",
                marginPercent: 50,
                usage: Object.fromEntries(usage.filter((u) => u.gpu).map((u) => [u.name, { p95GpuUtilization: round(u.gpu!.p95), peakNodes: u.peakNodes, demandGpus: u.demandGpus, measuredAt: end.toISOString().slice(0, 10) }])),
            },
        },
    };
}
