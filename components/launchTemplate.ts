import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags } from "./tags";

export interface NodeLaunchTemplateSpec {
    /** Root volume size in GiB. */
    diskSizeGiB: number;
    /** Chargeback tags, propagated to the instances, their volumes and network interfaces. */
    tags: Tags;
    /** KMS key for the root volume; the account's default EBS key when absent. */
    volumeKmsKeyArn?: pulumi.Input<string>;
}

/** Resource types an EKS managed node group's launch template may tag at launch. */
export const LAUNCH_TAGGED_RESOURCES = ["instance", "volume", "network-interface"] as const;

/**
 * Launch template arguments shared by every node group. IMDSv2 is required with a hop limit of 2 so pods
 * that still need instance metadata (through the node's network namespace) can reach it while IMDSv1
 * credential theft stays closed; no AMI or instance type is set, so EKS keeps choosing and patching the
 * AMI through the node group's amiType.
 */
export function nodeLaunchTemplateArgs(spec: NodeLaunchTemplateSpec): aws.ec2.LaunchTemplateArgs {
    return {
        description: "EKS managed node group nodes (managed by ai-infra)",
        updateDefaultVersion: true,
        metadataOptions: {
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: 2,
            instanceMetadataTags: "disabled",
        },
        blockDeviceMappings: [{
            // AL2023 AMIs boot from /dev/xvda.
            deviceName: "/dev/xvda",
            ebs: {
                volumeSize: spec.diskSizeGiB,
                volumeType: "gp3",
                encrypted: "true",
                deleteOnTermination: "true",
                ...(spec.volumeKmsKeyArn ? { kmsKeyId: spec.volumeKmsKeyArn } : {}),
            },
        }],
        tagSpecifications: LAUNCH_TAGGED_RESOURCES.map((resourceType) => ({ resourceType, tags: spec.tags })),
        tags: spec.tags,
    };
}
