import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { GatewayCache, replicationGroupIdFor } from "./cache";
import { Cluster } from "./cluster";
import type { StackConfig } from "./config";
import { TeamBudgets } from "./budgets";
import { GpuNodeGroup } from "./gpuNodeGroup";
import { GpuScheduling } from "./gpuScheduling";
import { Monitoring } from "./monitoring/monitoring";
import { platformNamePrefix } from "./names";
import { ModelMetering } from "./monitoring/modelMetering";
import { inClusterModels, teamModelQuotas } from "./modelSpend";
import { Network } from "./network";
import { AiGateway } from "./gateway/aiGateway";
import { applicationLogGroup, RateLimitStoreAlarm } from "./gateway/storeAlarm";
import { GATEWAY_SYSTEM_NAMESPACE } from "./gateway/constants";
import { Chargeback, chargebackLabels, chargebackTags, PLATFORM_TEAM, teamChargeback } from "./tags";

export interface PlatformArgs {
    /** The validated stack config (see loadStackConfig). */
    config: StackConfig;
}

/** Chargeback identity of the shared resources: the platform team, its owner and cost center. */
export function platformChargeback(config: StackConfig): Chargeback {
    return { team: PLATFORM_TEAM, costCenter: config.costCenter, environment: config.environment, owner: config.owner };
}

/** The whole environment: network, cluster, GPU node groups, rate-limit store, gateway, monitoring and budgets. */
export class Platform extends pulumi.ComponentResource {
    readonly cluster: Cluster;
    readonly network?: Network;
    readonly nodeGroups: Record<string, GpuNodeGroup> = {};
    readonly gatewayNamespace: k8s.core.v1.Namespace;
    readonly rateLimitCache: GatewayCache;
    /** Present when a team is admitted or a backend is configured. */
    readonly gateway?: AiGateway;
    readonly monitoring: Monitoring;
    readonly budgets: TeamBudgets;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-infra:platform:Platform", name, {}, opts);
        const { config } = args;
        const platform = platformChargeback(config);
        const sharedTags = chargebackTags(platform);
        const region = config.region ?? "";

        let subnetIds: pulumi.Input<pulumi.Input<string>[]> | undefined = config.cluster.subnetIds;
        if (config.cluster.create && !config.cluster.vpcId) {
            this.network = new Network(`${name}-vpc`, {
                cidr: config.cluster.vpcCidr,
                availabilityZones: config.cluster.availabilityZones,
                // One NAT per zone costs ~$33/month each: worth it where a zone outage must not cut egress.
                natGatewayPerZone: config.environment === "prod",
                clusterName: config.cluster.name,
                tags: sharedTags,
            }, { parent: this });
            subnetIds = this.network.privateSubnetIds;
        }

        this.cluster = new Cluster(`${name}-eks`, {
            config: config.cluster,
            environment: config.environment,
            tags: sharedTags,
            subnetIds,
            region: config.region,
        }, { parent: this });
        // Workloads and node groups wait for the system nodes (none exist on a cluster that is looked up).
        const afterSystemNodes = this.cluster.systemNodeGroup ? [this.cluster.systemNodeGroup] : [];

        // Each is an explicit choice (cluster.devicePlugin / cluster.clusterAutoscaler): a created cluster has
        // neither until installed; an existing one may already run them, and a second copy would fight the first.
        const { devicePlugin, clusterAutoscaler } = config.cluster;
        if (devicePlugin === "install" || clusterAutoscaler === "install") {
            new GpuScheduling(`${name}-gpu-scheduling`, {
                clusterName: config.cluster.name,
                kubernetesVersion: config.cluster.version,
                devicePlugin: devicePlugin === "install",
                clusterAutoscaler: clusterAutoscaler === "install",
                // An existing cluster's nodes lack the system node group's label: let the autoscaler run anywhere.
                ...(config.cluster.create ? {} : { autoscalerNodeSelector: null }),
                region,
                provider: this.cluster.provider,
                tags: sharedTags,
                dependsOn: afterSystemNodes,
            }, { parent: this });
        }

        const teams = new Map(config.teams.map((t) => [t.id, t]));
        for (const group of config.nodeGroups) {
            const team = teams.get(group.team)!;
            this.nodeGroups[group.name] = new GpuNodeGroup(group.name, {
                clusterName: this.cluster.name,
                nodeRoleArn: this.cluster.nodeRoleArn,
                subnetIds: this.cluster.subnetIds,
                chargeback: teamChargeback(team, config.environment),
                capacity: group.capacity,
                instanceTypes: group.instanceTypes,
                minSize: group.minSize,
                maxSize: group.maxSize,
                desiredSize: group.desiredSize,
                diskSizeGiB: group.diskSizeGiB,
                schedules: group.schedules,
                predictiveScaling: group.predictiveScaling,
                kubernetesVersion: config.cluster.create ? config.cluster.version : undefined,
                // The autoscaler this stack installs reads labels, taints and template resources from EKS
                // (its policy allows eks:DescribeNodegroup, gpuScheduling.ts); one declared `present` may not.
                autoscalerTagsOnAsg: config.cluster.clusterAutoscaler !== "install",
            }, { parent: this, dependsOn: afterSystemNodes });
        }

        this.gatewayNamespace = new k8s.core.v1.Namespace("gateway", {
            metadata: { name: GATEWAY_SYSTEM_NAMESPACE, labels: chargebackLabels(platform) },
        }, { parent: this, provider: this.cluster.provider });
        this.rateLimitCache = new GatewayCache(`${name}-ratelimit`, {
            environment: config.environment,
            replicationGroupId: replicationGroupIdFor(`${config.cluster.name}-ratelimit`),
            purpose: "rate-limit",
            nodeType: config.cache.nodeType,
            replicasPerShard: config.cache.replicasPerShard,
            shards: config.cache.shards,
            vpcId: this.network?.vpcId ?? this.cluster.vpcId,
            subnetIds: this.cluster.subnetIds,
            clientSecurityGroupIds: [this.cluster.clusterSecurityGroupId],
            chargeback: platform,
            kubernetes: { provider: this.cluster.provider, namespace: this.gatewayNamespace.metadata.name },
        }, { parent: this });
        if (config.teams.some((t) => t.gateway) || config.gateway.backends.length > 0) {
            this.gateway = new AiGateway(`${name}-gateway`, {
                config: config.gateway,
                teams: config.teams,
                nodeGroups: config.nodeGroups,
                environment: config.environment,
                region,
                chargeback: platform,
                provider: this.cluster.provider,
                clusterName: this.cluster.name,
                systemNamespace: this.gatewayNamespace,
                rateLimitStore: {
                    url: pulumi.interpolate`${this.rateLimitCache.endpoint}:${this.rateLimitCache.port}`,
                    clusterMode: this.rateLimitCache.clusterMode,
                    secretName: this.rateLimitCache.kubernetesSecretName!,
                },
            }, { parent: this, dependsOn: afterSystemNodes });
        }
        // Container logs land in a group the stack owns; the add-on that ships them waits for it.
        const appLogs = applicationLogGroup(`${name}-application-logs`, { clusterName: config.cluster.name, environment: config.environment, chargeback: platform }, { parent: this });
        this.monitoring = new Monitoring(`${name}-monitoring`, {
            environment: config.environment,
            region,
            clusterName: pulumi.all([this.cluster.name, appLogs.name]).apply(([cluster]) => cluster),
            clusterNameText: config.cluster.name,
            namePrefix: platformNamePrefix(),
            cacheNodes: this.rateLimitCache.nodeIds,
            gatewayNamespace: GATEWAY_SYSTEM_NAMESPACE,
            alerts: config.alerts,
            teams: config.teams,
            environmentBudgetUsd: config.monthlyBudgetUsd,
            chargeback: platform,
        }, { parent: this, dependsOn: afterSystemNodes });
        if (this.gateway) {
            new RateLimitStoreAlarm(`${name}-ratelimit-store`, {
                prefix: platformNamePrefix(), clusterName: config.cluster.name, logGroupName: appLogs.name, gatewayNamespace: GATEWAY_SYSTEM_NAMESPACE,
                failureMode: config.gateway.rateLimitFailureMode, alarmActions: [this.monitoring.criticalTopicArn], chargeback: platform,
            }, { parent: this });
            new ModelMetering(`${name}-model-metering`, {
                prefix: platformNamePrefix(), environment: config.environment, region, clusterName: this.cluster.name,
                namespace: this.gatewayNamespace.metadata.name, provider: this.cluster.provider,
                teams: teamModelQuotas(config.teams, config.gateway.backends), inClusterModels: inClusterModels(config.gateway.backends),
                warningPercent: config.alerts.warningPercent, criticalPercent: config.alerts.criticalPercent,
                warningTopicArn: this.monitoring.warningTopicArn, criticalTopicArn: this.monitoring.criticalTopicArn,
                tags: sharedTags, labels: chargebackLabels(platform), dependsOn: [this.gateway],
            }, { parent: this });
        }
        this.budgets = new TeamBudgets(`${name}-budgets`, {
            environment: config.environment,
            teams: config.teams,
            environmentBudgetUsd: config.monthlyBudgetUsd,
            alerts: config.alerts,
            platformOwner: config.owner,
            warningTopicArn: this.monitoring.warningTopicArn,
            criticalTopicArn: this.monitoring.criticalTopicArn,
            chargeback: platform,
            activateCostAllocationTags: config.activateCostAllocationTags,
            namePrefix: platformNamePrefix(),
            hold: { clusterName: config.cluster.name, alertsKeyArn: this.monitoring.alertsKeyArn },
        }, { parent: this });
        this.registerOutputs({ clusterName: this.cluster.name, rateLimitCacheEndpoint: this.rateLimitCache.endpoint });
    }
}
