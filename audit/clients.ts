import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { EC2Client } from "@aws-sdk/client-ec2";
import { EKSClient } from "@aws-sdk/client-eks";
import { ElastiCacheClient } from "@aws-sdk/client-elasticache";
import { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";

export interface AuditClients {
    eks: EKSClient;
    cloudwatch: CloudWatchClient;
    elasticache: ElastiCacheClient;
    tagging: ResourceGroupsTaggingAPIClient;
    ec2: EC2Client;
}

/**
 * The SDK's adaptive retry mode backs off on throttling with a client-side rate limiter; ten attempts
 * ride out a busy account's CloudWatch and Tagging API limits on a long scan.
 */
export const RETRY = { maxAttempts: 10, retryMode: "adaptive" } as const;

/** Clients on the default credential chain (env, SSO/profile, web identity, instance role) in the stack's region. */
export function createClients(region: string): AuditClients {
    const config = { region, ...RETRY };
    return {
        eks: new EKSClient(config),
        cloudwatch: new CloudWatchClient(config),
        elasticache: new ElastiCacheClient(config),
        tagging: new ResourceGroupsTaggingAPIClient(config),
        ec2: new EC2Client(config),
    };
}
