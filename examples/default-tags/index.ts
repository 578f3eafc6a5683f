import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

// A GPU node group outside ai-infra's components, in eu-west-1, whose team comes from aws:defaultTags.
const config = new pulumi.Config();
const maxNodes = config.requireNumber("maxNodes");

const role = new aws.iam.Role("nodes", {
    assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
});

export const nodeGroupName = new aws.eks.NodeGroup("vision-gpu", {
    clusterName: "shared-eu",
    nodeRoleArn: role.arn,
    subnetIds: ["subnet-0aaa", "subnet-0bbb"],
    capacityType: "SPOT",
    amiType: "AL2023_x86_64_NVIDIA",
    instanceTypes: ["g6.xlarge", "g5.xlarge"],
    scalingConfig: { minSize: 0, desiredSize: 0, maxSize: maxNodes },
}).nodeGroupName;

// The team's budget: it declares the team to the pack (chargeback-teams), and cost-within-budget holds
// the node group's eu-west-1 price ($659.23 at max scale; $590.70 at us-east-1 prices) against it.
new aws.budgets.Budget("vision", {
    budgetType: "COST",
    timeUnit: "MONTHLY",
    limitAmount: "700",
    limitUnit: "USD",
    costFilters: [{ name: "TagKeyValue", values: ["user:team$vision"] }],
    notifications: [70, 90].map((threshold) => ({
        comparisonOperator: "GREATER_THAN", notificationType: "ACTUAL", threshold, thresholdType: "PERCENTAGE", subscriberEmailAddresses: ["vision@example.com"],
    })),
});
