import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { INSTANCE_TYPES } from "./catalog";
import type { ClusterConfig, Environment } from "./config";
import { eksVersion, todayUtc, upgradeSupportType } from "./eksVersions";
import { kubeconfigFor } from "./kubeconfig";
import { nodeLaunchTemplateArgs } from "./launchTemplate";
import { Tags } from "./tags";

export interface ClusterArgs {
    /** Validated `ai-infra:cluster` settings. */
    config: ClusterConfig;
    environment: Environment;
    /** Chargeback tags of the platform (team `platform`). */
    tags: Tags;
    /** Private subnets for the control plane's ENIs and the system nodes; required when config.create. */
    subnetIds?: pulumi.Input<pulumi.Input<string>[]>;
    /** AWS region, for the kubeconfig's token command. Default: the provider's. */
    region?: string;
    /** The date the version's support phase is judged on. Default: today (UTC). */
    today?: Date;
}

const ASSUME_EKS = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
});
const ASSUME_EC2 = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
const NODE_POLICIES = {
    worker: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    // The VPC CNI runs as aws-node on every node before any pod identity exists, so it takes the node role.
    cni: "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    ecrPull: "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
};
export const ALL_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/** Control-plane log types: all in prod; outside prod the two that matter for security, as logs are billed per GB. */
export function controlPlaneLogTypes(environment: Environment): string[] {
    return environment === "prod" ? ALL_LOG_TYPES : ["audit", "authenticator"];
}

/**
 * The EKS cluster: created (IAM role, KMS-encrypted secrets, API auth mode, managed add-ons, a system node
 * group for controllers and the gateway) or looked up by name. Either way it yields a Kubernetes provider
 * and a node role for the GPU node groups.
 */
export class Cluster extends pulumi.ComponentResource {
    readonly name: pulumi.Output<string>;
    readonly endpoint: pulumi.Output<string>;
    readonly certificateAuthority: pulumi.Output<string>;
    /** Security group EKS attaches to the control plane and managed nodes. */
    readonly clusterSecurityGroupId: pulumi.Output<string>;
    readonly subnetIds: pulumi.Output<string[]>;
    readonly vpcId: pulumi.Output<string>;
    readonly nodeRoleArn: pulumi.Output<string>;
    readonly oidcIssuer: pulumi.Output<string>;
    readonly kubeconfig: pulumi.Output<string>;
    readonly provider: k8s.Provider;
    /** Created system node group (undefined for an existing cluster). */
    readonly systemNodeGroup?: aws.eks.NodeGroup;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-infra:cluster:Cluster", name, {}, opts);
        const parent = { parent: this };
        const { config, environment, tags } = args;
        const prod = environment === "prod";

        const nodeRole = new aws.iam.Role(`${name}-node`, { assumeRolePolicy: ASSUME_EC2, tags }, parent);
        for (const [key, policyArn] of Object.entries(NODE_POLICIES)) {
            new aws.iam.RolePolicyAttachment(`${name}-node-${key}`, { role: nodeRole.name, policyArn }, parent);
        }
        this.nodeRoleArn = nodeRole.arn;

        if (config.create) {
            if (!args.subnetIds) throw new pulumi.RunError(`Cluster ${name}: subnetIds are required to create a cluster`);
            const version = eksVersion(config.version);
            if (!version) throw new pulumi.RunError(`Cluster ${name}: Kubernetes ${config.version} is not in the EKS version table (components/eksVersions.ts)`);
            const key = new aws.kms.Key(`${name}-secrets`, {
                description: `EKS secrets encryption for ${config.name}`,
                enableKeyRotation: true,
                deletionWindowInDays: prod ? 30 : 7,
                tags,
            }, parent);
            new aws.kms.Alias(`${name}-secrets`, { name: `alias/eks/${config.name}`, targetKeyId: key.keyId }, parent);
            const role = new aws.iam.Role(`${name}-cluster`, { assumeRolePolicy: ASSUME_EKS, tags }, parent);
            const rolePolicy = new aws.iam.RolePolicyAttachment(`${name}-cluster`, {
                role: role.name,
                policyArn: "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
            }, parent);
            // EKS would create this group with no expiry; owning it bounds the log bill.
            const logGroup = new aws.cloudwatch.LogGroup(`${name}-control-plane`, {
                name: `/aws/eks/${config.name}/cluster`,
                retentionInDays: prod ? 90 : 14,
                tags,
            }, parent);
            const publicAccess = config.publicAccessCidrs.length > 0;
            const cluster = new aws.eks.Cluster(name, {
                name: config.name,
                version: config.version,
                roleArn: role.arn,
                vpcConfig: {
                    subnetIds: args.subnetIds,
                    endpointPrivateAccess: true,
                    endpointPublicAccess: publicAccess,
                    ...(publicAccess ? { publicAccessCidrs: config.publicAccessCidrs } : {}),
                },
                accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
                // Add-ons are declared below as managed add-ons, so EKS must not install self-managed copies.
                bootstrapSelfManagedAddons: false,
                enabledClusterLogTypes: controlPlaneLogTypes(environment),
                encryptionConfig: { provider: { keyArn: key.arn }, resources: ["secrets"] },
                // STANDARD while the minor is in standard support (EKS upgrades at its end instead of billing
                // extended support at 6x); EXTENDED for a minor already past it, which EKS would otherwise upgrade
                // under Pulumi. The eks-version-support policy flags both long before.
                upgradePolicy: { supportType: upgradeSupportType(version, args.today ?? todayUtc()) },
                deletionProtection: prod,
                tags,
            }, { parent: this, dependsOn: [rolePolicy, logGroup], protect: prod });

            // A deployer inside the VPC (a self-hosted CI runner) reaches the private endpoint only if the cluster
            // security group admits it: EKS's group allows traffic from itself alone.
            for (const sg of config.apiAccessSecurityGroupIds) {
                new aws.vpc.SecurityGroupIngressRule(`${name}-api-from-${sg}`, {
                    securityGroupId: cluster.vpcConfig.clusterSecurityGroupId,
                    referencedSecurityGroupId: sg,
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    description: `Kubernetes API from ${sg} (ai-infra cluster.apiAccessSecurityGroupIds)`,
                    tags,
                }, parent);
            }

            for (const principalArn of config.adminRoleArns) {
                const id = principalArn.split("/").pop()!.toLowerCase();
                const entry = new aws.eks.AccessEntry(`${name}-admin-${id}`, { clusterName: cluster.name, principalArn, type: "STANDARD", tags }, parent);
                new aws.eks.AccessPolicyAssociation(`${name}-admin-${id}`, {
                    clusterName: cluster.name,
                    principalArn,
                    policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                    accessScope: { type: "cluster" },
                }, { parent: this, dependsOn: [entry] });
            }

            const addon = (addonName: string, dependsOn: pulumi.Resource[] = []) => new aws.eks.Addon(`${name}-${addonName}`, {
                clusterName: cluster.name,
                addonName,
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "PRESERVE",
                tags,
            }, { parent: this, dependsOn });
            const networking = [addon("vpc-cni"), addon("kube-proxy"), addon("eks-pod-identity-agent")];

            const sys = config.systemNodes;
            const arch = INSTANCE_TYPES.get(sys.instanceTypes[0])?.architecture ?? "x86_64";
            const sysTemplate = new aws.ec2.LaunchTemplate(`${name}-system`, nodeLaunchTemplateArgs({ diskSizeGiB: 50, tags }), parent);
            this.systemNodeGroup = new aws.eks.NodeGroup(`${name}-system`, {
                clusterName: cluster.name,
                nodeGroupName: "system",
                nodeRoleArn: nodeRole.arn,
                subnetIds: args.subnetIds,
                capacityType: "ON_DEMAND",
                amiType: arch === "arm64" ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD",
                instanceTypes: sys.instanceTypes,
                scalingConfig: { minSize: sys.minSize, maxSize: sys.maxSize, desiredSize: sys.desiredSize },
                updateConfig: { maxUnavailable: 1 },
                labels: { "ai-infra/node-role": "system" },
                launchTemplate: { id: sysTemplate.id, version: sysTemplate.latestVersion.apply(String) },
                tags,
            }, { parent: this, dependsOn: networking, ignoreChanges: ["scalingConfig.desiredSize"] });
            // CoreDNS stays degraded (and the add-on create times out) until some node can run it.
            addon("coredns", [this.systemNodeGroup]);
            // The gateway's HorizontalPodAutoscaler needs the resource metrics API.
            addon("metrics-server", [this.systemNodeGroup]);

            this.name = cluster.name;
            this.endpoint = cluster.endpoint;
            this.certificateAuthority = cluster.certificateAuthority.data;
            this.clusterSecurityGroupId = cluster.vpcConfig.clusterSecurityGroupId;
            this.subnetIds = pulumi.output(args.subnetIds);
            this.vpcId = cluster.vpcConfig.vpcId;
            this.oidcIssuer = cluster.identities.apply((ids) => ids?.[0]?.oidcs?.[0]?.issuer ?? "");
        } else {
            const existing = aws.eks.getClusterOutput({ name: config.name }, parent);
            this.name = existing.name;
            this.endpoint = existing.endpoint;
            this.certificateAuthority = existing.certificateAuthorities.apply((c) => c[0].data);
            this.clusterSecurityGroupId = existing.vpcConfig.clusterSecurityGroupId;
            this.subnetIds = config.subnetIds ? pulumi.output(config.subnetIds) : existing.vpcConfig.subnetIds;
            this.vpcId = existing.vpcConfig.vpcId;
            this.oidcIssuer = existing.identities.apply((ids) => ids?.[0]?.oidcs?.[0]?.issuer ?? "");
        }

        this.kubeconfig = pulumi.secret(pulumi.all([this.name, this.endpoint, this.certificateAuthority])
            .apply(([n, e, ca]) => kubeconfigFor(n, e, ca, args.region)));
        this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig, enableServerSideApply: true }, parent);
        this.registerOutputs({
            name: this.name, endpoint: this.endpoint, nodeRoleArn: this.nodeRoleArn,
            clusterSecurityGroupId: this.clusterSecurityGroupId, oidcIssuer: this.oidcIssuer,
        });
    }
}
