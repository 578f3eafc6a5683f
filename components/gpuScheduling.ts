import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { eksVersion } from "./eksVersions";
import { GPU_TAINT } from "./gpuNodeGroup";
import { LABEL_PREFIX, Tags } from "./tags";

/**
 * What makes GPU node groups usable: the NVIDIA device plugin (the AL2023 NVIDIA AMIs ship drivers but
 * not the plugin, so without it no pod can request `nvidia.com/gpu`) and the Cluster Autoscaler that
 * grows groups from zero when such a pod is pending and shrinks them when idle.
 */
export const GPU_CHARTS = {
    // Not tied to the cluster minor (Chart.yaml kubeVersion ">= 1.10.0-0" at v0.20.0). The values keys used
    // below are the chart's at that tag: affinity (values.yaml:64), tolerations (:86), priorityClassName (:99).
    devicePlugin: { chart: "nvidia-device-plugin", repo: "https://nvidia.github.io/k8s-device-plugin", version: "0.20.0" },
    // Its chart version and image follow the cluster minor: see clusterAutoscalerRelease. Each minor gets the chart
    // that ships it because the RBAC changes between minors (chart 9.59.0's clusterrole.yaml adds rules 9.53.0 lacks).
    // Values keys used below, in cluster-autoscaler/charts/cluster-autoscaler/values.yaml at 9.59.0: autoDiscovery
    // (:8, clusterName :17), awsRegion (:76), cloudProvider (:144), extraArgs (:212), image (:302, tag :306),
    // nodeSelector (:334), rbac (:374, serviceAccount create/name :388/:390); the same keys exist at 9.46.6, 9.51.0, 9.53.0.
    clusterAutoscaler: { chart: "cluster-autoscaler", repo: "https://kubernetes.github.io/autoscaler" },
} as const;

/** The autoscaler chart and image of a minor, from the EKS version table; an unknown minor is a bug upstream of here. */
export function clusterAutoscalerRelease(kubernetesVersion: string): { chart: string; image: string } {
    const v = eksVersion(kubernetesVersion);
    if (!v) throw new pulumi.RunError(`GpuScheduling: Kubernetes ${kubernetesVersion} is not in the EKS version table (components/eksVersions.ts)`);
    return v.clusterAutoscaler;
}
export const AUTOSCALER_SERVICE_ACCOUNT = "cluster-autoscaler";
/** The system node group's label (a created cluster); an existing cluster's nodes do not carry it. */
export const SYSTEM_NODE_SELECTOR = { "ai-infra/node-role": "system" };

/** Device plugin on GPU nodes only (they carry `ai-infra/gpu-count`), tolerating their taint. */
export function devicePluginValues(): Record<string, unknown> {
    return {
        tolerations: [{ key: GPU_TAINT.key, operator: "Exists", effect: "NoSchedule" }],
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: `${LABEL_PREFIX}gpu-count`, operator: "Exists" }] }] } } },
        priorityClassName: "system-node-critical",
    };
}

/**
 * The autoscaler's image must match the cluster's Kubernetes minor (the table's newest patch of it).
 * `least-waste` picks the group that leaves the least idle capacity; idle GPU nodes go after 10 minutes
 * rather than the default 10 minutes plus a 10-minute cooldown after a scale-up.
 *
 * `balance-similar-node-groups` stays off: it would never apply here. The AWS comparator ignores only
 * eks.amazonaws.com/nodegroup, alpha.eksctl.io/*, k8s.amazonaws.com/eniConfig, lifecycle and the topology
 * labels (cluster-autoscaler/processors/nodegroupset/aws_nodegroups.go:29-35 at cluster-autoscaler-1.35.2),
 * and every group carries its own `ai-infra/node-group`, `ai-infra/capacity` and EKS capacity-type labels,
 * so no two groups are ever "similar". Spot and on-demand groups are alternatives, not a balanced pair.
 */
export function clusterAutoscalerValues(clusterName: string, region: string, kubernetesVersion: string, nodeSelector: Record<string, string> | null = SYSTEM_NODE_SELECTOR): Record<string, unknown> {
    return {
        autoDiscovery: { clusterName },
        awsRegion: region,
        cloudProvider: "aws",
        image: { tag: clusterAutoscalerRelease(kubernetesVersion).image },
        rbac: { serviceAccount: { create: true, name: AUTOSCALER_SERVICE_ACCOUNT } },
        ...(nodeSelector ? { nodeSelector } : {}),
        extraArgs: {
            expander: "least-waste",
            "skip-nodes-with-system-pods": false,
            "scale-down-unneeded-time": "10m",
            "scale-down-delay-after-add": "5m",
        },
    };
}

/** The least IAM the autoscaler needs: describe everything, change only groups tagged for this cluster. */
export function clusterAutoscalerPolicy(clusterName: string): object {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: ["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances", "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeScalingActivities", "autoscaling:DescribeTags", "ec2:DescribeImages", "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions", "ec2:GetInstanceTypesFromInstanceRequirements", "eks:DescribeNodegroup"],
                Resource: "*",
            },
            {
                Effect: "Allow",
                Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                Resource: "*",
                Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
            },
        ],
    };
}

export interface GpuSchedulingArgs {
    clusterName: string;
    /** The cluster's minor; picks the autoscaler chart and image from the EKS version table. */
    kubernetesVersion: string;
    /** Install the NVIDIA device plugin. Default true. */
    devicePlugin?: boolean;
    /** Install the Cluster Autoscaler (IAM role, Pod Identity, chart). Default true. */
    clusterAutoscaler?: boolean;
    /** Where the autoscaler runs. Default the system node group's label; null on clusters without it (runs anywhere). */
    autoscalerNodeSelector?: Record<string, string> | null;
    region: string;
    provider: k8s.Provider;
    /** Chargeback tags of the platform, for the IAM role. */
    tags: Tags;
    /** Resources that must exist first (the system node group the autoscaler runs on). */
    dependsOn?: pulumi.Resource[];
}

export class GpuScheduling extends pulumi.ComponentResource {
    constructor(name: string, args: GpuSchedulingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-infra:cluster:GpuScheduling", name, {}, opts);
        const k8sOpts = { parent: this, provider: args.provider, dependsOn: args.dependsOn ?? [] };
        if (args.devicePlugin ?? true) {
            new k8s.helm.v3.Release(`${name}-nvidia-device-plugin`, {
                name: "nvidia-device-plugin",
                chart: GPU_CHARTS.devicePlugin.chart,
                version: GPU_CHARTS.devicePlugin.version,
                repositoryOpts: { repo: GPU_CHARTS.devicePlugin.repo },
                namespace: "kube-system",
                values: devicePluginValues(),
            }, k8sOpts);
        }
        if (!(args.clusterAutoscaler ?? true)) {
            this.registerOutputs({});
            return;
        }

        const role = new aws.iam.Role(`${name}-autoscaler`, {
            description: `Cluster Autoscaler of ${args.clusterName}`,
            assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }] }),
            tags: args.tags,
        }, { parent: this });
        new aws.iam.RolePolicy(`${name}-autoscaler`, { role: role.name, policy: JSON.stringify(clusterAutoscalerPolicy(args.clusterName)) }, { parent: this });
        const association = new aws.eks.PodIdentityAssociation(`${name}-autoscaler`, {
            clusterName: args.clusterName, namespace: "kube-system", serviceAccount: AUTOSCALER_SERVICE_ACCOUNT, roleArn: role.arn, tags: args.tags,
        }, { parent: this });
        new k8s.helm.v3.Release(`${name}-cluster-autoscaler`, {
            name: "cluster-autoscaler",
            chart: GPU_CHARTS.clusterAutoscaler.chart,
            version: clusterAutoscalerRelease(args.kubernetesVersion).chart,
            repositoryOpts: { repo: GPU_CHARTS.clusterAutoscaler.repo },
            namespace: "kube-system",
            values: clusterAutoscalerValues(args.clusterName, args.region, args.kubernetesVersion, args.autoscalerNodeSelector === undefined ? SYSTEM_NODE_SELECTOR : args.autoscalerNodeSelector),
        }, { ...k8sOpts, dependsOn: [...(args.dependsOn ?? []), association] });
        this.registerOutputs({});
    }
}
