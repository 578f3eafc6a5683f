import { GetMetricDataCommandInput, MetricDataQuery, paginateGetMetricData } from "@aws-sdk/client-cloudwatch";
import { paginateDescribeInstances, paginateDescribeNatGateways, paginateDescribeVolumes } from "@aws-sdk/client-ec2";
import { DescribeClusterCommand, DescribeNodegroupCommand, paginateListNodegroups } from "@aws-sdk/client-eks";
import { paginateDescribeReplicationGroups } from "@aws-sdk/client-elasticache";
import { paginateGetResources } from "@aws-sdk/client-resource-groups-tagging-api";
import { TAG_KEYS } from "../components/tags";
import type { NodeGroupShape } from "./analyze";
import { AuditClients } from "./clients";
import { aws } from "./errors";
import { Series } from "./stats";

export type Progress = (message: string) => void;

/** CloudWatch accepts at most 500 queries per GetMetricData call. */
export const METRIC_BATCH = 500;

/** Run metric queries in batches of 500, following every page; series keyed by query id and label. */
export async function metricData(clients: AuditClients, queries: MetricDataQuery[], start: Date, end: Date): Promise<Map<string, Series[]>> {
    const out = new Map<string, Series[]>();
    for (let i = 0; i < queries.length; i += METRIC_BATCH) {
        const input: GetMetricDataCommandInput = { MetricDataQueries: queries.slice(i, i + METRIC_BATCH), StartTime: start, EndTime: end, ScanBy: "TimestampAscending" };
        await aws("cloudwatch", "GetMetricDataCommand", async () => {
            for await (const page of paginateGetMetricData({ client: clients.cloudwatch }, input)) {
                for (const r of page.MetricDataResults ?? []) {
                    if (!r.Id) continue;
                    const list = out.get(r.Id) ?? [];
                    const label = r.Label ?? r.Id;
                    let series = list.find((s) => s.id === label);
                    if (!series) {
                        series = { id: label, timestamps: [], values: [] };
                        list.push(series);
                    }
                    (r.Timestamps ?? []).forEach((t, k) => {
                        series!.timestamps.push(new Date(t).getTime());
                        series!.values.push((r.Values ?? [])[k]);
                    });
                    out.set(r.Id, list);
                }
            }
        });
    }
    return out;
}

export interface NodeGroupInfo extends NodeGroupShape {
    arn: string;
}

export async function nodeGroups(clients: AuditClients, cluster: string, progress: Progress): Promise<NodeGroupInfo[]> {
    const names: string[] = [];
    await aws("eks", "ListNodegroupsCommand", async () => {
        for await (const page of paginateListNodegroups({ client: clients.eks }, { clusterName: cluster })) names.push(...(page.nodegroups ?? []));
    });
    const out: NodeGroupInfo[] = [];
    for (const [i, name] of names.entries()) {
        progress(`node group ${i + 1}/${names.length}: ${name}`);
        const { nodegroup } = await aws("eks", "DescribeNodegroupCommand", () => clients.eks.send(new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName: name })));
        if (!nodegroup) continue;
        out.push({
            name,
            arn: nodegroup.nodegroupArn ?? "",
            team: nodegroup.tags?.[TAG_KEYS.team] ?? "(untagged)",
            capacity: nodegroup.capacityType === "SPOT" ? "SPOT" : "ON_DEMAND",
            instanceTypes: nodegroup.instanceTypes ?? [],
            minSize: nodegroup.scalingConfig?.minSize ?? 0,
            maxSize: nodegroup.scalingConfig?.maxSize ?? 0,
            desiredSize: nodegroup.scalingConfig?.desiredSize ?? 0,
        });
    }
    return out;
}

/** The group's instances in any state EC2 still reports (EKS tags them with the cluster and group names). */
export async function groupInstanceIds(clients: AuditClients, cluster: string, group: string): Promise<string[]> {
    const ids: string[] = [];
    await aws("ec2", "DescribeInstancesCommand", async () => {
        const filters = [{ Name: "tag:eks:cluster-name", Values: [cluster] }, { Name: "tag:eks:nodegroup-name", Values: [group] }];
        for await (const page of paginateDescribeInstances({ client: clients.ec2 }, { Filters: filters })) {
            for (const r of page.Reservations ?? []) for (const i of r.Instances ?? []) if (i.InstanceId) ids.push(i.InstanceId);
        }
    });
    return ids;
}

/** SEARCH over Container Insights node metrics of given instances: one series per instance. */
export function nodeMetricSearch(id: string, metric: string, cluster: string, instanceIds: readonly string[], periodSeconds: number): MetricDataQuery {
    const instances = instanceIds.map((i) => `InstanceId="${i}"`).join(" OR ");
    return {
        Id: id,
        Expression: `SEARCH('{ContainerInsights,ClusterName,InstanceId,NodeName} MetricName="${metric}" ClusterName="${cluster}" (${instances})', 'Average', ${periodSeconds})`,
        ReturnData: true,
    };
}

export interface TaggedResource {
    arn: string;
    tags: Record<string, string>;
}

export async function taggedResources(clients: AuditClients, tagFilters: { Key: string; Values?: string[] }[]): Promise<TaggedResource[]> {
    const out: TaggedResource[] = [];
    await aws("tagging", "GetResourcesCommand", async () => {
        for await (const page of paginateGetResources({ client: clients.tagging }, { TagFilters: tagFilters, ResourcesPerPage: 100 })) {
            for (const r of page.ResourceTagMappingList ?? []) {
                if (!r.ResourceARN) continue;
                out.push({ arn: r.ResourceARN, tags: Object.fromEntries((r.Tags ?? []).filter((t) => t.Key).map((t) => [t.Key!, t.Value ?? ""])) });
            }
        }
    });
    return out;
}

export interface CacheGroupInfo {
    id: string;
    arn: string;
    members: string[];
    nodeType: string;
}

export async function cacheGroups(clients: AuditClients): Promise<CacheGroupInfo[]> {
    const out: CacheGroupInfo[] = [];
    await aws("elasticache", "DescribeReplicationGroupsCommand", async () => {
        for await (const page of paginateDescribeReplicationGroups({ client: clients.elasticache }, {})) {
            for (const g of page.ReplicationGroups ?? []) {
                if (!g.ReplicationGroupId || !g.ARN) continue;
                out.push({ id: g.ReplicationGroupId, arn: g.ARN, members: g.MemberClusters ?? [], nodeType: g.CacheNodeType ?? "" });
            }
        }
    });
    return out;
}

export interface VolumeInfo {
    id: string;
    sizeGiB: number;
    type: string;
    tags: Record<string, string>;
}

export async function unattachedVolumes(clients: AuditClients, cluster: string, environment: string): Promise<VolumeInfo[]> {
    const found = new Map<string, VolumeInfo>();
    for (const tagFilter of [{ Name: "tag-key", Values: [`kubernetes.io/cluster/${cluster}`] }, { Name: `tag:${TAG_KEYS.environment}`, Values: [environment] }]) {
        await aws("ec2", "DescribeVolumesCommand", async () => {
            for await (const page of paginateDescribeVolumes({ client: clients.ec2 }, { Filters: [{ Name: "status", Values: ["available"] }, tagFilter] })) {
                for (const v of page.Volumes ?? []) {
                    if (!v.VolumeId) continue;
                    found.set(v.VolumeId, { id: v.VolumeId, sizeGiB: v.Size ?? 0, type: v.VolumeType ?? "gp3", tags: Object.fromEntries((v.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])) });
                }
            }
        });
    }
    return [...found.values()];
}

export interface NatInfo {
    id: string;
    tags: Record<string, string>;
}

export async function clusterVpc(clients: AuditClients, cluster: string): Promise<string | undefined> {
    const { cluster: c } = await aws("eks", "DescribeClusterCommand", () => clients.eks.send(new DescribeClusterCommand({ name: cluster })));
    return c?.resourcesVpcConfig?.vpcId;
}

export async function natGateways(clients: AuditClients, vpcId: string): Promise<NatInfo[]> {
    const out: NatInfo[] = [];
    await aws("ec2", "DescribeNatGatewaysCommand", async () => {
        const filters = [{ Name: "vpc-id", Values: [vpcId] }, { Name: "state", Values: ["available"] }];
        for await (const page of paginateDescribeNatGateways({ client: clients.ec2 }, { Filter: filters })) {
            for (const n of page.NatGateways ?? []) if (n.NatGatewayId) out.push({ id: n.NatGatewayId, tags: Object.fromEntries((n.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])) });
        }
    });
    return out;
}
