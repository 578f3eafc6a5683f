import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";

// Nothing here is a GPU: the pack's GPU rules must have nothing to say about it. Shared capacity of the
// platform team (always a known team; it owns no team budget, so cost-within-budget has nothing to hold).
const tags = { team: "platform", "cost-center": "CC-4001", environment: "dev", owner: "platform@example.com", "managed-by": "pulumi" };

new aws.eks.NodeGroup("general", {
    clusterName: "shared-dev",
    nodeRoleArn: "arn:aws:iam::123456789012:role/nodes",
    subnetIds: ["subnet-0aaa", "subnet-0bbb"],
    instanceTypes: ["m6i.large"],
    scalingConfig: { minSize: 1, desiredSize: 2, maxSize: 6 },
    tags,
});

const arm = new aws.ec2.LaunchTemplate("arm-small", {
    instanceType: "t4g.small",
    metadataOptions: { httpTokens: "required" },
    tags,
});

new aws.eks.NodeGroup("arm", {
    clusterName: "shared-dev",
    nodeRoleArn: "arn:aws:iam::123456789012:role/nodes",
    subnetIds: ["subnet-0aaa", "subnet-0bbb"],
    launchTemplate: { id: arm.id, version: "$Latest" },
    scalingConfig: { minSize: 0, desiredSize: 0, maxSize: 3 },
    tags,
});

new aws.autoscaling.Group("batch", {
    // Auto Scaling groups take tags as a list, and the AWS provider's default tags do not reach them.
    tags: Object.entries(tags).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
    minSize: 0,
    maxSize: 10,
    vpcZoneIdentifiers: ["subnet-0aaa"],
    mixedInstancesPolicy: {
        launchTemplate: {
            launchTemplateSpecification: { launchTemplateId: arm.id },
            overrides: [{ instanceType: "c7i.large" }, { instanceType: "c6i.large" }],
        },
    },
});

// A Pod of this program in its own namespace, without ai-infra's team label: not the pack's business.
new k8s.core.v1.Pod("nginx", {
    metadata: { namespace: "web" },
    spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] },
});
