import { GetMetricDataCommand, MetricDataQuery, MetricDataResult } from "@aws-sdk/client-cloudwatch";
import { CreateTagsCommand, DescribeInstancesCommand, DescribeNatGatewaysCommand, DescribeVolumesCommand, Filter } from "@aws-sdk/client-ec2";
import { DescribeClusterCommand, DescribeNodegroupCommand, ListNodegroupsCommand, TagResourceCommand, UntagResourceCommand, UpdateNodegroupConfigCommand } from "@aws-sdk/client-eks";
import { AddTagsToResourceCommand, DescribeReplicationGroupsCommand } from "@aws-sdk/client-elasticache";
import { GetResourcesCommand } from "@aws-sdk/client-resource-groups-tagging-api";
import { mockClient } from "aws-sdk-client-mock";

type Stub = ReturnType<typeof mockClient>;
import { NodeGroupShape } from "../../audit/analyze";
import { AuditClients, createClients } from "../../audit/clients";

export const NOW = new Date("2026-11-20T00:00:00Z");
export const HOUR_MS = 3600_000;
/** The last n whole hours before NOW, oldest first. */
export const hours = (n: number) => Array.from({ length: n }, (_, i) => NOW.getTime() - (n - i) * HOUR_MS);

export interface FakeNode {
    id: string;
    group: string;
    type: string;
    /** Hours (ms) in which the node reported. */
    hours: number[];
    util: (t: number) => number;
    /** Hourly Maximum; defaults to util. */
    utilMax?: (t: number) => number;
    mem: (t: number) => number;
    /** node_gpu_usage_total; absent: the metric is not published. */
    alloc?: (t: number) => number;
    /** Replaced long ago: EC2 no longer lists it. */
    terminated?: boolean;
    /** What the clean-up's re-check (5-minute period) sees, if different. */
    recheck?: { util?: number; mem?: number };
}

export interface FakeGroup extends NodeGroupShape {
    tags?: Record<string, string>;
}

export interface FakeAccountSpec {
    cluster?: string;
    environment?: string;
    groups: FakeGroup[];
    nodes: FakeNode[];
    volumes?: { id: string; sizeGiB: number; type?: string; tags: Record<string, string> }[];
    /** NAT metrics: BytesOutToDestination = bytes; BytesInFromSource and ActiveConnectionCount default to 0 when bytes is given. */
    nats?: { id: string; tags: Record<string, string>; bytes?: number; inbound?: number; connections?: number }[];
    caches?: { id: string; nodeType: string; commands?: number; env?: boolean }[];
    taggedResources?: { arn: string; tags: Record<string, string> }[];
    /** Status override for a metric (by metric name) in GetMetricData results. */
    status?: Record<string, { code: "PartialData" | "InternalError" | "Forbidden"; message?: string }>;
}

const chargeback = (team: string, env: string) => ({ team, "cost-center": "CC", environment: env, owner: "o@x.io", "managed-by": "pulumi" });
export const arnOf = (cluster: string, group: string) => `arn:aws:eks:us-east-1:1:nodegroup/${cluster}/${group}/x`;

export interface FakeAccount {
    c: AuditClients;
    eks: Stub;
    cw: Stub;
    ec2: Stub;
    ec: Stub;
    tag: Stub;
    spec: FakeAccountSpec;
    /** Live state of the groups (updated by UpdateNodegroupConfig / TagResource / UntagResource). */
    state: Map<string, FakeGroup & { tags: Record<string, string> }>;
    /** Every SEARCH query string CloudWatch received. */
    searches: string[];
}

const filterValue = (filters: Filter[] | undefined, name: string) => filters?.find((f) => f.Name === name)?.Values ?? undefined;

/**
 * A simulated account behind aws-sdk-client-mock: EKS groups whose sizes and tags change when the audit
 * acts, EC2 that lists only non-terminated instances, and CloudWatch that answers SEARCH expressions from
 * per-node hourly data (one series per InstanceId, labelled by the dynamic label) and rejects a SEARCH
 * query over 1,024 characters as the real API does.
 */
export function fakeAccount(spec: FakeAccountSpec): FakeAccount {
    const cluster = spec.cluster ?? "ai-dev";
    const env = spec.environment ?? "dev";
    const c = createClients("us-east-1");
    const m: FakeAccount = {
        c, spec, searches: [],
        eks: mockClient(c.eks),
        cw: mockClient(c.cloudwatch),
        ec2: mockClient(c.ec2),
        ec: mockClient(c.elasticache),
        tag: mockClient(c.tagging),
        state: new Map(spec.groups.map((g) => [g.name, { ...g, tags: { ...chargeback(g.team, env), ...(g.tags ?? {}) } }])),
    };
    const names = spec.groups.map((g) => g.name);
    m.eks.on(ListNodegroupsCommand).callsFake((input: { nextToken?: string }) => {
        // Two per page, so every run follows a token.
        const from = Number(input.nextToken ?? 0);
        return { nodegroups: names.slice(from, from + 2), ...(from + 2 < names.length ? { nextToken: String(from + 2) } : {}) };
    });
    m.eks.on(DescribeNodegroupCommand).callsFake((input: { nodegroupName: string }) => {
        const g = m.state.get(input.nodegroupName)!;
        return { nodegroup: { nodegroupName: g.name, nodegroupArn: arnOf(cluster, g.name), status: "ACTIVE", instanceTypes: g.instanceTypes, capacityType: g.capacity, scalingConfig: { minSize: g.minSize, maxSize: g.maxSize, desiredSize: g.desiredSize }, tags: { ...g.tags } } };
    });
    m.eks.on(UpdateNodegroupConfigCommand).callsFake((input: { nodegroupName: string; scalingConfig: { minSize: number; maxSize: number; desiredSize: number } }) => {
        Object.assign(m.state.get(input.nodegroupName)!, input.scalingConfig);
        return { update: { id: "u-1", status: "InProgress" } };
    });
    const byArn = (arn: string) => [...m.state.values()].find((g) => arnOf(cluster, g.name) === arn)!;
    m.eks.on(TagResourceCommand).callsFake((input: { resourceArn: string; tags: Record<string, string> }) => {
        Object.assign(byArn(input.resourceArn).tags, input.tags);
        return {};
    });
    m.eks.on(UntagResourceCommand).callsFake((input: { resourceArn: string; tagKeys: string[] }) => {
        for (const k of input.tagKeys) delete byArn(input.resourceArn).tags[k];
        return {};
    });
    m.eks.on(DescribeClusterCommand).resolves({ cluster: { name: cluster, resourcesVpcConfig: { vpcId: "vpc-1" } } });
    m.ec2.on(DescribeInstancesCommand).callsFake((input: { Filters?: Filter[]; NextToken?: string }) => {
        const group = filterValue(input.Filters, "tag:eks:nodegroup-name")?.[0];
        const ids = spec.nodes.filter((n) => n.group === group && !n.terminated).map((n) => n.id);
        // One instance per page.
        const from = Number(input.NextToken ?? 0);
        return { Reservations: ids.slice(from, from + 1).map((id) => ({ Instances: [{ InstanceId: id }] })), ...(from + 1 < ids.length ? { NextToken: String(from + 1) } : {}) };
    });
    m.ec2.on(DescribeVolumesCommand).callsFake((input: { Filters?: Filter[] }) => {
        const tagFilter = input.Filters?.find((f) => f.Name !== "status")!;
        const match = (tags: Record<string, string>) => tagFilter.Name === "tag-key" ? tagFilter.Values!.some((k) => k in tags) : tags[tagFilter.Name!.replace(/^tag:/, "")] === tagFilter.Values![0];
        return { Volumes: (spec.volumes ?? []).filter((v) => match(v.tags)).map((v) => ({ VolumeId: v.id, Size: v.sizeGiB, VolumeType: v.type ?? "gp3", Tags: Object.entries(v.tags).map(([Key, Value]) => ({ Key, Value })) })) };
    });
    m.ec2.on(DescribeNatGatewaysCommand).resolves({ NatGateways: (spec.nats ?? []).map((n) => ({ NatGatewayId: n.id, Tags: Object.entries(n.tags).map(([Key, Value]) => ({ Key, Value })) })) });
    m.ec2.on(CreateTagsCommand).resolves({});
    const caches = spec.caches ?? [];
    const cacheArn = (id: string) => `arn:aws:elasticache:us-east-1:1:replicationgroup:${id}`;
    m.ec.on(DescribeReplicationGroupsCommand).callsFake((input: { Marker?: string }) => {
        const from = Number(input.Marker ?? 0);
        return { ReplicationGroups: caches.slice(from, from + 1).map((x) => ({ ReplicationGroupId: x.id, ARN: cacheArn(x.id), MemberClusters: [`${x.id}-001`], CacheNodeType: x.nodeType })), ...(from + 1 < caches.length ? { Marker: String(from + 1) } : {}) };
    });
    m.ec.on(AddTagsToResourceCommand).resolves({});
    const envResources = [
        ...caches.filter((x) => x.env !== false).map((x) => ({ arn: cacheArn(x.id), tags: chargeback("platform", env) })),
        ...(spec.taggedResources ?? []).filter((r) => r.tags.environment === env),
    ];
    m.tag.on(GetResourcesCommand).callsFake((input: { TagFilters: { Key: string }[]; PaginationToken?: string }) => {
        const key = input.TagFilters[0].Key;
        const list = key === "environment" ? envResources : (spec.taggedResources ?? []).filter((r) => key in r.tags);
        const from = Number(input.PaginationToken || 0);
        return { ResourceTagMappingList: list.slice(from, from + 1).map((r) => ({ ResourceARN: r.arn, Tags: Object.entries(r.tags).map(([Key, Value]) => ({ Key, Value })) })), PaginationToken: from + 1 < list.length ? String(from + 1) : "" };
    });
    m.cw.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries: MetricDataQuery[]; StartTime: Date; EndTime: Date }) => {
        const inRange = (t: number) => t >= input.StartTime.getTime() && t < input.EndTime.getTime();
        const results: MetricDataResult[] = [];
        for (const q of input.MetricDataQueries) {
            if (q.MetricStat) {
                const dim = q.MetricStat.Metric!.Dimensions![0];
                const nat = spec.nats?.find((n) => n.id === dim.Value);
                const metricName = q.MetricStat.Metric!.MetricName;
                const natValue = (n: NonNullable<FakeAccountSpec["nats"]>[number]) => metricName === "BytesInFromSource" ? n.inbound ?? (n.bytes === undefined ? undefined : 0)
                    : metricName === "ActiveConnectionCount" ? n.connections ?? (n.bytes === undefined ? undefined : 0) : n.bytes;
                const value = dim.Name === "NatGatewayId" ? (nat ? natValue(nat) : undefined) : caches.find((x) => `${x.id}-001` === dim.Value)?.commands;
                const s = spec.status?.[q.MetricStat.Metric!.MetricName!];
                results.push({ Id: q.Id, Label: q.Id, StatusCode: s?.code ?? "Complete", Timestamps: value === undefined ? [] : [input.StartTime], Values: value === undefined ? [] : [value] });
                continue;
            }
            const expr = q.Expression!;
            const query = /^SEARCH\('(.*)', '(\w+)', (\d+)\)$/.exec(expr);
            if (!query) throw new Error(`unexpected expression ${expr}`);
            const [, text, stat, period] = query;
            m.searches.push(text);
            if (text.length > 1024) throw Object.assign(new Error("The search expression query is too long"), { name: "InvalidParameterValueException", $metadata: {} });
            const metric = /MetricName="([^"]+)"/.exec(text)![1];
            const ids = [...text.matchAll(/InstanceId="([^"]+)"/g)].map((x) => x[1]);
            const nodes = spec.nodes.filter((n) => (ids.length === 0 || ids.includes(n.id)) && n.hours.some(inRange));
            const s = spec.status?.[metric];
            if (text.includes("GpuDevice")) {
                for (const n of nodes) results.push({ Id: q.Id, Label: `${n.id} ${n.type}`, StatusCode: s?.code ?? "Complete", Timestamps: [input.StartTime], Values: [100] });
                continue;
            }
            for (const n of nodes) {
                const at = n.hours.filter(inRange);
                const recheck = Number(period) === 300 ? n.recheck : undefined;
                const value = (t: number): number | undefined => {
                    if (metric === "node_gpu_utilization") return stat === "Maximum" ? recheck?.util ?? (n.utilMax ?? n.util)(t) : n.util(t);
                    if (metric === "node_gpu_memory_utilization") return recheck?.mem ?? n.mem(t);
                    if (metric === "node_gpu_usage_total") return n.alloc?.(t);
                    return undefined;
                };
                if (value(at[0]) === undefined) continue;
                results.push({ Id: q.Id, Label: n.id, StatusCode: s?.code ?? "Complete", ...(s?.message ? { Messages: [{ Code: s.code, Value: s.message }] } : {}), Timestamps: at.map((t) => new Date(t)), Values: at.map((t) => value(t)!) });
            }
        }
        return { MetricDataResults: results };
    });
    return m;
}

/** A node reporting in the given hours with constant or per-hour values. */
export function node(id: string, group: string, type: string, at: number[], v: { util: number | ((t: number) => number); utilMax?: number | ((t: number) => number); mem: number | ((t: number) => number); alloc?: number | ((t: number) => number); terminated?: boolean; recheck?: FakeNode["recheck"] }): FakeNode {
    const fn = (x: number | ((t: number) => number)) => (typeof x === "number" ? () => x : x);
    return {
        id, group, type, hours: at, util: fn(v.util), mem: fn(v.mem),
        ...(v.utilMax !== undefined ? { utilMax: fn(v.utilMax) } : {}),
        ...(v.alloc !== undefined ? { alloc: fn(v.alloc) } : {}),
        ...(v.terminated ? { terminated: true } : {}),
        ...(v.recheck ? { recheck: v.recheck } : {}),
    };
}

export async function runCli(argv: string[], m: FakeAccount): Promise<{ code: number; out: string; err: string }> {
    // Imported here so the fake stays usable without the CLI's dependencies.
    const { main } = await import("../../audit/cli");
    let out = "", err = "";
    const code = await main(argv, { clients: () => m.c, now: NOW, log: (s) => { out += `${s}\n`; }, error: (s) => { err += `${s}\n`; } });
    return { code, out, err };
}
