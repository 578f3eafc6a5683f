import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { CACHE_NODE_TYPES } from "./catalog";
import type { Environment } from "./config";
import { Chargeback, chargebackLabels, chargebackTags } from "./tags";

/** Pinned so an engine upgrade is a reviewed change; 8.2 is the newest Valkey 8 ElastiCache serves. */
export const VALKEY_VERSION = "8.2";
export const VALKEY_PARAMETER_FAMILY = "valkey8";
export const VALKEY_PORT = 6379;

/**
 * What a group stores decides what it may evict.
 * - `rate-limit`: Envoy's rate limit service keeps one counter per client and window, each with a TTL of
 *   its window. An evicted counter silently resets a team's quota, so this group never evicts
 *   (`noeviction`); counters expire on their own, so memory tracks active clients. When memory is full
 *   Valkey refuses the counter writes and the gateway applies its `rateLimitFailureMode`: `open` lets
 *   requests through without quotas, `closed` answers 500. The 70/90 % memory alarms fire before that;
 *   the rate-limit service logs these refusals only at debug, so the store-unreachable alarm
 *   (gateway/storeAlarm.ts) does not see them.
 * - `response-cache`: entries are disposable, so the least recently used go first (`allkeys-lru`).
 * One store cannot hold both safely: logical databases share one `maxmemory` and one eviction policy, and
 * every volatile-* policy would evict short-TTL counters before long-TTL cache entries. Hence one group
 * per purpose.
 */
export type CachePurpose = "rate-limit" | "response-cache";
export const EVICTION_POLICY: Readonly<Record<CachePurpose, string>> = { "rate-limit": "noeviction", "response-cache": "allkeys-lru" };

export interface GatewayCacheArgs {
    environment: Environment;
    /**
     * Replication group id (1-40 lower-case letters, digits and single hyphens, starting with a letter).
     * Fixed rather than generated so node ids, and the alarms on them, are known before deployment.
     */
    replicationGroupId: string;
    /** What the group stores; decides its eviction policy. Default `rate-limit`. */
    purpose?: CachePurpose;
    /** ElastiCache node type from the catalog. */
    nodeType: string;
    /** Replicas per shard: at least 1 in prod (automatic failover needs one). */
    replicasPerShard: number;
    /** Shards; more than one switches cluster mode on. Default 1. */
    shards?: number;
    vpcId: pulumi.Input<string>;
    /** Private subnets, in at least two zones for multi-AZ. */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Security groups allowed to connect (the EKS cluster security group the nodes and pods use). */
    clientSecurityGroupIds: pulumi.Input<string>[];
    /** Who pays: the platform team's chargeback identity. */
    chargeback: Chargeback;
    /** Where to put a Kubernetes Secret with the connection settings, for the gateway's workloads. */
    kubernetes?: { provider: k8s.Provider; namespace: pulumi.Input<string> };
}

export interface CacheSettings {
    clusterMode: boolean;
    automaticFailover: boolean;
    multiAz: boolean;
    snapshotRetentionLimit: number;
    parameters: { name: string; value: string }[];
    customerKmsKey: boolean;
    protect: boolean;
}

/** A valid replication group id derived from a name: lower-case, single hyphens, at most 40 characters. */
export function replicationGroupIdFor(base: string): string {
    const cleaned = base.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^[^a-z]+/, "").slice(0, 40).replace(/-+$/, "");
    return cleaned === "" ? "cache" : cleaned;
}

/** Node (cache cluster) ids ElastiCache gives a group's members, as CloudWatch metrics name them. */
export function memberClusterIds(replicationGroupId: string, shards: number, replicasPerShard: number): string[] {
    const pad = (n: number, width: number) => String(n).padStart(width, "0");
    if (shards <= 1) return Array.from({ length: 1 + replicasPerShard }, (_, i) => `${replicationGroupId}-${pad(i + 1, 3)}`);
    return Array.from({ length: shards }, (_, s) => Array.from({ length: 1 + replicasPerShard }, (_, n) => `${replicationGroupId}-${pad(s + 1, 4)}-${pad(n + 1, 3)}`)).flat();
}

/** Settings that follow from the args, or an error naming each bad value. */
export function cacheSettings(name: string, args: GatewayCacheArgs): CacheSettings {
    const problems: string[] = [];
    const shards = args.shards ?? 1;
    const prod = args.environment === "prod";
    if (!CACHE_NODE_TYPES.has(args.nodeType)) problems.push(`nodeType: ${JSON.stringify(args.nodeType)} is not allowed: must be one of ${[...CACHE_NODE_TYPES.keys()].join(", ")}`);
    if (!Number.isInteger(args.replicasPerShard) || args.replicasPerShard < (prod ? 1 : 0) || args.replicasPerShard > 5) {
        problems.push(`replicasPerShard: ${args.replicasPerShard} is not allowed: must be an integer from ${prod ? "1 (prod needs a replica for failover)" : "0"} to 5`);
    }
    if (!Number.isInteger(shards) || shards < 1 || shards > 500) problems.push(`shards: ${shards} is not allowed: must be an integer from 1 to 500`);
    if (!/^[a-z](?!.*--)[a-z0-9-]{0,39}$/.test(args.replicationGroupId) || args.replicationGroupId.endsWith("-")) {
        problems.push(`replicationGroupId: ${JSON.stringify(args.replicationGroupId)} is not allowed: 1-40 lower-case letters, digits and single hyphens, starting with a letter`);
    }
    if (problems.length > 0) throw new pulumi.RunError(`GatewayCache ${name}: ${problems.join("; ")}`);
    const clusterMode = shards > 1;
    const failover = args.replicasPerShard > 0;
    return {
        clusterMode,
        automaticFailover: failover,
        multiAz: failover,
        // Rate-limit counters are worth nothing after their window; snapshots exist to restore the
        // group's configuration and any cached responses quickly, so prod keeps a week.
        snapshotRetentionLimit: prod ? 7 : 1,
        parameters: [
            { name: "maxmemory-policy", value: EVICTION_POLICY[args.purpose ?? "rate-limit"] },
            { name: "cluster-enabled", value: clusterMode ? "yes" : "no" },
        ],
        customerKmsKey: prod,
        protect: prod,
    };
}

/**
 * A private, encrypted Valkey replication group for the gateway: TLS required, an AUTH token generated at
 * deploy time and kept only as a Pulumi secret and in Secrets Manager, reachable on 6379 from the
 * cluster's security group alone.
 */
export class GatewayCache extends pulumi.ComponentResource {
    readonly replicationGroupId: pulumi.Output<string>;
    /** Cache cluster ids of the group's nodes, as reported by AWS. */
    readonly memberClusters: pulumi.Output<string[]>;
    /** The same ids, known before deployment (per-node alarms are declared from them). */
    readonly nodeIds: string[];
    /** Primary endpoint (cluster mode off) or configuration endpoint (cluster mode on). */
    readonly endpoint: pulumi.Output<string>;
    readonly port: number = VALKEY_PORT;
    readonly tls = true;
    readonly clusterMode: boolean;
    /** ARN of the Secrets Manager secret holding the connection settings and token. */
    readonly authSecretArn: pulumi.Output<string>;
    /** The AUTH token; a Pulumi secret. */
    readonly authToken: pulumi.Output<string>;
    /** Name of the Kubernetes Secret (keys `host`, `port`, `tls`, `url`, `password`), when requested. */
    readonly kubernetesSecretName?: pulumi.Output<string>;

    constructor(name: string, args: GatewayCacheArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-infra:cache:GatewayCache", name, {}, opts);
        const settings = cacheSettings(name, args);
        const parent = { parent: this };
        const tags = chargebackTags(args.chargeback);
        this.clusterMode = settings.clusterMode;

        const key = settings.customerKmsKey
            ? new aws.kms.Key(`${name}-cache`, { description: `ElastiCache ${name} at-rest encryption and token secret`, enableKeyRotation: true, deletionWindowInDays: 30, tags }, parent)
            : undefined;
        // ElastiCache AUTH tokens: 16-128 printable characters without @, " or /; alphanumerics avoid them all.
        const token = new random.RandomPassword(`${name}-auth`, { length: 64, special: false }, parent);
        this.authToken = pulumi.secret(token.result);

        const sg = new aws.ec2.SecurityGroup(`${name}-cache`, {
            vpcId: args.vpcId,
            description: `Valkey ${name}: port ${VALKEY_PORT} from the EKS cluster only`,
            tags: { ...tags, Name: `${name}-cache` },
        }, parent);
        args.clientSecurityGroupIds.forEach((clientSg, i) => new aws.vpc.SecurityGroupIngressRule(`${name}-cache-from-${i}`, {
            securityGroupId: sg.id,
            referencedSecurityGroupId: clientSg,
            ipProtocol: "tcp",
            fromPort: VALKEY_PORT,
            toPort: VALKEY_PORT,
            description: "Valkey from EKS nodes and pods",
            tags,
        }, parent));
        const subnets = new aws.elasticache.SubnetGroup(`${name}-cache`, { subnetIds: args.subnetIds, description: `Valkey ${name}`, tags }, parent);
        const params = new aws.elasticache.ParameterGroup(`${name}-cache`, {
            family: VALKEY_PARAMETER_FAMILY,
            description: `Valkey ${name} (${args.purpose ?? "rate-limit"})`,
            parameters: settings.parameters,
            tags,
        }, parent);

        const nodes = settings.clusterMode
            ? { numNodeGroups: args.shards ?? 1, replicasPerNodeGroup: args.replicasPerShard }
            : { numCacheClusters: 1 + args.replicasPerShard };
        const group = new aws.elasticache.ReplicationGroup(name, {
            replicationGroupId: args.replicationGroupId,
            description: `Gateway ${args.purpose ?? "rate-limit"} store (${args.environment})`,
            engine: "valkey",
            engineVersion: VALKEY_VERSION,
            nodeType: args.nodeType,
            port: VALKEY_PORT,
            parameterGroupName: params.name,
            subnetGroupName: subnets.name,
            securityGroupIds: [sg.id],
            clusterMode: settings.clusterMode ? "enabled" : "disabled",
            ...nodes,
            automaticFailoverEnabled: settings.automaticFailover,
            multiAzEnabled: settings.multiAz,
            atRestEncryptionEnabled: true,
            ...(key ? { kmsKeyId: key.arn } : {}),
            transitEncryptionEnabled: true,
            transitEncryptionMode: "required",
            authToken: this.authToken,
            authTokenUpdateStrategy: "ROTATE",
            autoMinorVersionUpgrade: true,
            snapshotRetentionLimit: settings.snapshotRetentionLimit,
            // UTC: 03:00-04:00 snapshots then Sunday 05:00-06:00 maintenance, night in the Americas and early morning in Europe.
            snapshotWindow: "03:00-04:00",
            maintenanceWindow: "sun:05:00-sun:06:00",
            applyImmediately: args.environment !== "prod",
            ...(settings.protect ? { finalSnapshotIdentifier: `${args.replicationGroupId}-final` } : {}),
            tags,
        }, { parent: this, protect: settings.protect, additionalSecretOutputs: ["authToken"] });

        this.replicationGroupId = group.id;
        this.memberClusters = group.memberClusters;
        this.nodeIds = memberClusterIds(args.replicationGroupId, args.shards ?? 1, args.replicasPerShard);
        this.endpoint = settings.clusterMode ? group.configurationEndpointAddress : group.primaryEndpointAddress;

        const connection = pulumi.all([this.endpoint, this.authToken]).apply(([host, password]) => ({
            host, port: String(VALKEY_PORT), tls: "true", url: `${host}:${VALKEY_PORT}`, password,
        }));
        const secret = new aws.secretsmanager.Secret(`${name}-cache-auth`, {
            description: `Valkey ${name} connection settings and AUTH token`,
            ...(key ? { kmsKeyId: key.arn } : {}),
            recoveryWindowInDays: args.environment === "prod" ? 30 : 7,
            tags,
        }, parent);
        new aws.secretsmanager.SecretVersion(`${name}-cache-auth`, {
            secretId: secret.id,
            secretString: pulumi.secret(connection.apply((c) => JSON.stringify(c))),
        }, parent);
        this.authSecretArn = secret.arn;

        if (args.kubernetes) {
            const k8sSecret = new k8s.core.v1.Secret(`${name}-cache`, {
                metadata: { namespace: args.kubernetes.namespace, name: `${name}-valkey`, labels: chargebackLabels(args.chargeback) },
                type: "Opaque",
                stringData: pulumi.secret(connection),
            }, { parent: this, provider: args.kubernetes.provider });
            this.kubernetesSecretName = k8sSecret.metadata.name;
        }
        this.registerOutputs({
            replicationGroupId: this.replicationGroupId, endpoint: this.endpoint, port: this.port, tls: this.tls, authSecretArn: this.authSecretArn,
        });
    }
}
