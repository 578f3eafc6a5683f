import { paginateDescribeInstances, paginateDescribeNatGateways, paginateDescribeVolumes } from "@aws-sdk/client-ec2";
import { DescribeClusterCommand, DescribeNodegroupCommand, paginateListNodegroups } from "@aws-sdk/client-eks";
import { paginateDescribeReplicationGroups } from "@aws-sdk/client-elasticache";
import { paginateGetResources } from "@aws-sdk/client-resource-groups-tagging-api";
import { TAG_KEYS } from "../components/tags";
import type { NodeGroupShape } from "./analyze";
import { AuditClients } from "./clients";
import { aws, AuditError, explain } from "./errors";
import { metricData, quoted, SEARCH_MAX_SERIES } from "./metrics";

export type Progress = (message: string) => void;

export interface NodeGroupInfo extends NodeGroupShape {
    arn: string;
    tags: Record<string, string>;
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
            tags: nodegroup.tags ?? {},
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

/**
 * Every GPU node the cluster's metrics saw in the window, with its type: the device-level series of
 * node_gpu_utilization carry {ClusterName, NodeName, InstanceId, InstanceType, GpuDevice} (CloudWatch agent,
 * translator/translate/otel/exporter/awsemf/kubernetes.go, GPU metric declarations). This is how nodes that
 * were replaced long ago are found: EC2 lists a terminated instance only for about an hour (EC2
 * TerminateInstances reference). `complete` is false when the search may have been cut at 500 series.
 */
export async function metricInstances(clients: AuditClients, cluster: string, start: Date, end: Date, periodSeconds: number): Promise<{ types: Map<string, string>; complete: boolean; problem?: string }> {
    const r = await metricData(clients, [{
        Id: "nodes",
        Expression: `SEARCH('{ContainerInsights,ClusterName,GpuDevice,InstanceId,InstanceType,NodeName} MetricName="node_gpu_utilization" ClusterName=${quoted(cluster)}', 'Maximum', ${periodSeconds})`,
        Label: "${PROP('Dim.InstanceId')} ${PROP('Dim.InstanceType')}",
        ReturnData: true,
    }], start, end);
    const series = r.series.get("nodes") ?? [];
    const types = new Map<string, string>();
    for (const s of series) {
        const [id, type] = s.id.split(" ");
        if (id && type && s.values.length > 0) types.set(id, type);
    }
    const problem = r.incomplete.get("nodes") ?? (series.length >= SEARCH_MAX_SERIES ? `the node search hit CloudWatch's ${SEARCH_MAX_SERIES}-series limit` : undefined);
    return { types, complete: problem === undefined, ...(problem ? { problem } : {}) };
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

/**
 * Tags the EBS CSI driver sets (kubernetes-sigs/aws-ebs-csi-driver v1.64.0, docs/tagging.md:6-10 and
 * pkg/driver/constants.go:150-186): `ebs.csi.aws.com/cluster=true` and `CSIVolumeName` on every volume;
 * `kubernetes.io/cluster/<id>=owned` and `ebs.csi.aws.com/cluster-name=<id>` only when the driver runs with
 * --k8s-tag-cluster-id; `kubernetes.io/created-for/pv/name`, `.../pvc/name`, `.../pvc/namespace` when the
 * provisioner sidecar passes --extra-create-metadata (its Helm chart does: charts/.../controller.yaml:231).
 */
export const CSI_TAGS = {
    managed: "ebs.csi.aws.com/cluster",
    clusterName: "ebs.csi.aws.com/cluster-name",
    volumeName: "CSIVolumeName",
    pvName: "kubernetes.io/created-for/pv/name",
    pvcName: "kubernetes.io/created-for/pvc/name",
    pvcNamespace: "kubernetes.io/created-for/pvc/namespace",
} as const;

/**
 * Unattached (`available`) volumes of the cluster or environment: tagged for the cluster by the legacy
 * provider or the CSI driver's cluster id, tagged with the environment, or created by the CSI driver without
 * a cluster id (those carry no cluster tag at all; one belonging to another cluster is skipped).
 */
export async function unattachedVolumes(clients: AuditClients, cluster: string, environment: string): Promise<VolumeInfo[]> {
    const found = new Map<string, VolumeInfo>();
    const filters = [
        { Name: "tag-key", Values: [`kubernetes.io/cluster/${cluster}`] },
        { Name: `tag:${CSI_TAGS.clusterName}`, Values: [cluster] },
        { Name: `tag:${TAG_KEYS.environment}`, Values: [environment] },
        { Name: `tag:${CSI_TAGS.managed}`, Values: ["true"] },
    ];
    for (const tagFilter of filters) {
        await aws("ec2", "DescribeVolumesCommand", async () => {
            for await (const page of paginateDescribeVolumes({ client: clients.ec2 }, { Filters: [{ Name: "status", Values: ["available"] }, tagFilter] })) {
                for (const v of page.Volumes ?? []) {
                    if (!v.VolumeId) continue;
                    const tags = Object.fromEntries((v.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
                    const otherCluster = (tags[CSI_TAGS.clusterName] && tags[CSI_TAGS.clusterName] !== cluster)
                        || Object.keys(tags).some((k) => k.startsWith("kubernetes.io/cluster/") && k !== `kubernetes.io/cluster/${cluster}`);
                    if (tagFilter.Name === `tag:${CSI_TAGS.managed}` && otherCluster) continue;
                    found.set(v.VolumeId, { id: v.VolumeId, sizeGiB: v.Size ?? 0, type: v.VolumeType ?? "gp3", tags });
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

/** The cluster's VPC; an unknown cluster stops the audit with its own message (nothing else can be judged). */
export async function clusterVpc(clients: AuditClients, cluster: string, region: string): Promise<string | undefined> {
    try {
        const { cluster: c } = await clients.eks.send(new DescribeClusterCommand({ name: cluster }));
        return c?.resourcesVpcConfig?.vpcId;
    } catch (e) {
        if ((e as { name?: string }).name === "ResourceNotFoundException") {
            throw new AuditError(`EKS cluster ${cluster} not found in ${region}: check ai-infra:cluster.name and aws:region in the stack file, and that you are signed in to the right account`, 2, "not-found", "eks:DescribeCluster");
        }
        throw explain(e, "eks", "DescribeClusterCommand");
    }
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
