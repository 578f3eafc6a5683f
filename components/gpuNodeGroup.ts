import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { INSTANCE_TYPES, InstanceFacts } from "./catalog";
import type { Capacity, PredictiveScalingConfig, ScheduleConfig } from "./config";
import { instanceTypeMismatch, MAX_INSTANCE_TYPES, MAX_NODES_PER_GROUP } from "./configNodeGroups";
import { nodeLaunchTemplateArgs } from "./launchTemplate";
import { Chargeback, chargebackLabels, chargebackTags, LABEL_PREFIX, Tags, toLabelValue } from "./tags";

export const GPU_TAINT = { key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" } as const;

/** Current NVIDIA AMIs per architecture (AL2 GPU AMIs reached end of support). */
export const GPU_AMI_TYPES = { x86_64: "AL2023_x86_64_NVIDIA", arm64: "AL2023_ARM_64_NVIDIA" } as const;

const CA_TEMPLATE = "k8s.io/cluster-autoscaler/node-template";

/**
 * The label the Cluster Autoscaler's AWS provider treats as "this node has GPUs" (GPULabel,
 * cloudprovider/aws/aws_cloud_provider.go:39 at cluster-autoscaler-1.35.2). A GPU node without it looks
 * GPU-less until the device plugin registers `nvidia.com/gpu`, and the autoscaler scales up again for the same
 * pending pod (cloudprovider/aws/README.md:272-283, "Special note on GPU instances"). EKS sets node-group
 * labels through kubelet, so the label is there when the node registers. The managed node group API refuses
 * label keys under kubernetes.io/, k8s.io/ and eks.amazonaws.com/ (kubernetes/cloud-provider-aws#242, the
 * kubelet's NodeRestriction domains); k8s.amazonaws.com/ is none of them.
 */
export const ACCELERATOR_LABEL = "k8s.amazonaws.com/accelerator";

/** `nvidia-l4` for "NVIDIA L4"; a group mixing models lists each (`nvidia-a10g_nvidia-l4`): the label is per group. */
export function acceleratorLabelValue(facts: readonly InstanceFacts[]): string {
    const models = [...new Set(facts.map((f) => (f.gpuModel ?? "gpu").toLowerCase().replace(/[^a-z0-9]+/g, "-")))].sort();
    return models.join("_").slice(0, 63);
}

/**
 * Ephemeral storage a node of the group can offer pods, for the scale-from-zero template: the root volume
 * less the kubelet's default hard eviction threshold (nodefs.available 10%). The autoscaler's template node
 * has no ephemeral storage unless this tag says so (cloudprovider/aws/README.md:224-233), so without it a pod
 * requesting ephemeral-storage never scales a group up from zero.
 */
export function templateEphemeralStorage(diskSizeGiB: number): string {
    return `${Math.floor(diskSizeGiB * 0.9)}Gi`;
}

export interface GpuNodeGroupArgs {
    /** EKS cluster the group joins. */
    clusterName: pulumi.Input<string>;
    /** IAM role of the nodes (worker, CNI and ECR pull policies attached). */
    nodeRoleArn: pulumi.Input<string>;
    /** Private subnets the nodes run in. */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Team that owns and pays for the group (tag and label `team`). */
    chargeback: Chargeback;
    /** `spot` (default outside prod) or `on-demand`. */
    capacity: Capacity;
    /** Interchangeable GPU instance types of the catalog: same GPU count, vCPU, memory and architecture. */
    instanceTypes: string[];
    /** Node count bounds; desiredSize is set at creation and then left to the Cluster Autoscaler. */
    minSize: number;
    maxSize: number;
    desiredSize: number;
    /** Root volume in GiB for model images and weights. Default 200. */
    diskSizeGiB?: number;
    /** KMS key for the root volumes. Default: the account's EBS default key. */
    volumeKmsKeyArn?: pulumi.Input<string>;
    /** Kubernetes version of the nodes. Default: the cluster's. */
    kubernetesVersion?: pulumi.Input<string>;
    /** Scheduled size changes on the group's Auto Scaling group. Default none. */
    schedules?: ScheduleConfig[];
    /** Predictive scaling on the group's Auto Scaling group. Default none. */
    predictiveScaling?: PredictiveScalingConfig;
    /**
     * Copy the Cluster Autoscaler's node-template tags (labels, taints, resources) onto the group's
     * EKS-made Auto Scaling group, one `aws.autoscaling.Tag` each (9 resources per group). Default true.
     * The node group itself always carries its labels, taints and node-template tags, and an autoscaler
     * with `eks:DescribeNodegroup` reads them from EKS for a managed group at zero (cluster-autoscaler
     * cloudprovider/aws/aws_manager.go:307-339 at cluster-autoscaler-1.35.2, same in 1.32-1.34; README
     * "Full Cluster Autoscaler Features Policy"): set false when the cluster's autoscaler is known to have
     * that permission and to reach the EKS API, as the one this project installs does. Keep the copy for
     * an autoscaler you do not control: it is what scale from zero falls back on.
     */
    autoscalerTagsOnAsg?: boolean;
}

/**
 * The predictive scaling configuration of an Auto Scaling group, as plain data: forecast only, from the
 * predefined ASGCPUUtilization pair (AWS/EC2 CPUUtilization by AutoScalingGroupName, which EC2 publishes for
 * every group's instances). Why not GPU and why never ForecastAndScale: see configNodeGroups' parsePredictive.
 */
export function predictiveScalingConfiguration(p: PredictiveScalingConfig): aws.types.input.autoscaling.PolicyPredictiveScalingConfiguration {
    return { mode: "ForecastOnly", metricSpecification: { targetValue: p.targetUtilization, predefinedMetricPairSpecification: { predefinedMetricType: "ASGCPUUtilization" } } };
}

export type ScalingField = "minSize" | "maxSize" | "desiredSize";

/**
 * The scalingConfig fields schedules own: desiredSize always (the Cluster Autoscaler owns it between
 * schedules), minSize and maxSize when some schedule sets them to a value other than the group's. Pulumi must
 * ignore exactly these, or `pulumi up --refresh` inside a schedule's window would reset what it set.
 */
export function scheduleOwnedFields(group: { minSize: number; maxSize: number }, schedules: readonly ScheduleConfig[]): ScalingField[] {
    const owned: ScalingField[] = ["desiredSize"];
    if (schedules.some((s) => s.minSize !== group.minSize)) owned.push("minSize");
    if (schedules.some((s) => s.maxSize !== group.maxSize)) owned.push("maxSize");
    return owned;
}

export interface GpuNodeGroupSpec {
    amiType: string;
    capacityType: "ON_DEMAND" | "SPOT";
    gpusPerNode: number;
    labels: Record<string, string>;
    taints: { key: string; value: string; effect: string }[];
    /** Chargeback and node-template tags; see autoscalerDiscoveryTags for the cluster-specific ones. */
    tags: Tags;
    /** Node-template tags the Cluster Autoscaler reads from the Auto Scaling group to scale from zero. */
    autoscalerTemplateTags: Tags;
}

/** The tags Cluster Autoscaler auto-discovery (`--node-group-auto-discovery=asg:tag=...`) selects on. */
export function autoscalerDiscoveryTags(clusterName: string): Tags {
    return { "k8s.io/cluster-autoscaler/enabled": "true", [`k8s.io/cluster-autoscaler/${clusterName}`]: "owned" };
}

/** Everything about a group that follows from its args, or an error naming every problem. */
export function gpuNodeGroupSpec(name: string, args: GpuNodeGroupArgs): GpuNodeGroupSpec {
    const problems: string[] = [];
    const facts: InstanceFacts[] = [];
    for (const t of args.instanceTypes) {
        const f = INSTANCE_TYPES.get(t);
        if (!f || f.gpus === 0) problems.push(`instanceTypes: ${JSON.stringify(t)} is not allowed: must be a GPU instance type of the catalog`);
        else facts.push(f);
    }
    if (args.instanceTypes.length === 0 || args.instanceTypes.length > MAX_INSTANCE_TYPES) {
        problems.push(`instanceTypes: ${args.instanceTypes.length} types is not allowed: list 1 to ${MAX_INSTANCE_TYPES}`);
    }
    const mismatch = instanceTypeMismatch(facts);
    if (mismatch) problems.push(`instanceTypes: ${mismatch}`);
    const { minSize, maxSize, desiredSize } = args;
    if (!Number.isInteger(minSize) || minSize < 0) problems.push(`minSize: ${minSize} is not allowed: must be an integer >= 0`);
    if (!Number.isInteger(maxSize) || maxSize < Math.max(minSize, 1) || maxSize > MAX_NODES_PER_GROUP) {
        problems.push(`maxSize: ${maxSize} is not allowed: must be an integer >= minSize (${minSize}) and >= 1, at most ${MAX_NODES_PER_GROUP}`);
    }
    if (!Number.isInteger(desiredSize) || desiredSize < minSize || desiredSize > maxSize) {
        problems.push(`desiredSize: ${desiredSize} is not allowed: must be an integer from minSize (${minSize}) to maxSize (${maxSize})`);
    }
    for (const sc of args.schedules ?? []) {
        if (!(Number.isInteger(sc.minSize) && sc.minSize >= 0 && sc.minSize <= sc.maxSize && sc.maxSize <= maxSize)) {
            problems.push(`schedules.${sc.name}: minSize ${sc.minSize} / maxSize ${sc.maxSize} is not allowed: must satisfy 0 <= minSize <= maxSize <= the group's maxSize (${maxSize})`);
        }
        if (sc.desiredSize !== sc.minSize) {
            problems.push(`schedules.${sc.name}: desiredSize ${sc.desiredSize} is not allowed: must equal minSize (${sc.minSize}); the Cluster Autoscaler removes nodes above minSize within minutes`);
        }
    }
    if (problems.length > 0) throw new pulumi.RunError(`GpuNodeGroup ${name}: ${problems.join("; ")}`);

    const gpusPerNode = facts[0].gpus;
    const gpuMemoryGiB = Math.min(...facts.map((f) => f.gpuMemoryGiB ?? 0));
    const capacityLabel = args.capacity === "spot" ? "spot" : "on-demand";
    const schedulingLabels: Record<string, string> = {
        [`${LABEL_PREFIX}team`]: toLabelValue(args.chargeback.team),
        [`${LABEL_PREFIX}node-group`]: name,
        [`${LABEL_PREFIX}capacity`]: capacityLabel,
        [`${LABEL_PREFIX}gpu-count`]: String(gpusPerNode),
        // The smallest GPU among the types, in usable GiB (catalog): what a model server can count on whichever type launches.
        [`${LABEL_PREFIX}gpu-memory-gib`]: String(gpuMemoryGiB),
    };
    schedulingLabels[ACCELERATOR_LABEL] = acceleratorLabelValue(facts);
    const labels = { ...chargebackLabels(args.chargeback), ...schedulingLabels };
    const autoscalerTemplateTags: Tags = {
        [`${CA_TEMPLATE}/taint/${GPU_TAINT.key}`]: `${GPU_TAINT.value}:NoSchedule`,
        [`${CA_TEMPLATE}/resources/nvidia.com/gpu`]: String(gpusPerNode),
        [`${CA_TEMPLATE}/resources/ephemeral-storage`]: templateEphemeralStorage(args.diskSizeGiB ?? 200),
    };
    for (const [k, v] of Object.entries(schedulingLabels)) autoscalerTemplateTags[`${CA_TEMPLATE}/label/${k}`] = v;
    const tags: Tags = { ...chargebackTags(args.chargeback), ...autoscalerTemplateTags };
    return {
        amiType: GPU_AMI_TYPES[facts[0].architecture],
        capacityType: args.capacity === "spot" ? "SPOT" : "ON_DEMAND",
        gpusPerNode,
        labels,
        taints: [{ ...GPU_TAINT }],
        tags,
        autoscalerTemplateTags,
    };
}

/**
 * A GPU managed node group: tainted so only GPU workloads land on it, scaled by the Cluster Autoscaler
 * (from zero for spot groups), with IMDSv2 and encrypted gp3 root volumes, every instance and volume
 * tagged for chargeback.
 */
export class GpuNodeGroup extends pulumi.ComponentResource {
    readonly nodeGroup: aws.eks.NodeGroup;
    readonly launchTemplate: aws.ec2.LaunchTemplate;
    readonly gpusPerNode: number;
    readonly maxGpus: number;

    constructor(name: string, args: GpuNodeGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-infra:nodegroup:GpuNodeGroup", name, {}, opts);
        const spec = gpuNodeGroupSpec(name, args);
        this.gpusPerNode = spec.gpusPerNode;
        this.maxGpus = spec.gpusPerNode * args.maxSize;
        const chargeback = chargebackTags(args.chargeback);

        this.launchTemplate = new aws.ec2.LaunchTemplate(name, nodeLaunchTemplateArgs({
            diskSizeGiB: args.diskSizeGiB ?? 200,
            tags: chargeback,
            volumeKmsKeyArn: args.volumeKmsKeyArn,
        }), { parent: this });

        this.nodeGroup = new aws.eks.NodeGroup(name, {
            clusterName: args.clusterName,
            nodeGroupName: name,
            nodeRoleArn: args.nodeRoleArn,
            subnetIds: args.subnetIds,
            version: args.kubernetesVersion,
            capacityType: spec.capacityType,
            amiType: spec.amiType,
            instanceTypes: args.instanceTypes,
            scalingConfig: { minSize: args.minSize, maxSize: args.maxSize, desiredSize: args.desiredSize },
            // GPU nodes are expensive and slow to drain: replace one at a time.
            updateConfig: { maxUnavailable: 1 },
            nodeRepairConfig: { enabled: true },
            labels: spec.labels,
            taints: spec.taints,
            launchTemplate: { id: this.launchTemplate.id, version: this.launchTemplate.latestVersion.apply(String) },
            tags: pulumi.output(args.clusterName).apply((cluster) => ({ ...spec.tags, ...autoscalerDiscoveryTags(cluster) })),
        }, {
            parent: this,
            // The Cluster Autoscaler owns desiredSize after creation, and the group's schedules own the min/max
            // they change: re-applying config must undo neither (scheduleOwnedFields).
            ignoreChanges: scheduleOwnedFields(args, args.schedules ?? []).map((f) => `scalingConfig.${f}`),
        });

        // EKS does not copy node group tags to its Auto Scaling group; an autoscaler that cannot read the node
        // group from EKS reads the node-template tags from the ASG when it has no node to look at (scale from zero).
        const asgName = this.nodeGroup.resources.apply((r) => r?.[0]?.autoscalingGroups?.[0]?.name ?? "");
        for (const [tagKey, value] of Object.entries(args.autoscalerTagsOnAsg === false ? {} : spec.autoscalerTemplateTags)) {
            const suffix = tagKey.slice(CA_TEMPLATE.length + 1).replace(/[^A-Za-z0-9-]/g, "-");
            new aws.autoscaling.Tag(`${name}-${suffix}`, {
                autoscalingGroupName: asgName,
                tag: { key: tagKey, value, propagateAtLaunch: false },
            }, { parent: this });
        }
        for (const schedule of args.schedules ?? []) {
            new aws.autoscaling.Schedule(`${name}-${schedule.name}`, {
                autoscalingGroupName: asgName,
                scheduledActionName: `${name}-${schedule.name}`,
                recurrence: schedule.cron,
                timeZone: schedule.timezone,
                minSize: schedule.minSize,
                maxSize: schedule.maxSize,
                desiredCapacity: schedule.desiredSize,
            }, { parent: this });
        }
        if (args.predictiveScaling) {
            const predictive = args.predictiveScaling;
            new aws.autoscaling.Policy(`${name}-predictive`, {
                autoscalingGroupName: asgName,
                policyType: "PredictiveScaling",
                predictiveScalingConfiguration: predictiveScalingConfiguration(predictive),
            }, { parent: this });
        }
        this.registerOutputs({ nodeGroupName: this.nodeGroup.nodeGroupName, launchTemplateId: this.launchTemplate.id });
    }
}
