// A team's own Pulumi program on an existing ai-infra cluster: one spot GPU node group that carries the
// team's chargeback tags, and the team's monthly budget with its alerts. Everything comes from the
// published components; nothing here is copied from ai-infra.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { chargebackTags, Environment, GpuNodeGroup, TeamBudgets, TeamConfig, teamChargeback } from "@ai-infra/components";

const config = new pulumi.Config();
const environment = (config.get("environment") ?? "dev") as Environment;

const team: TeamConfig = { id: "vision", costCenter: "CC-3003", owner: "vision@example.com", monthlyBudgetUsd: 1500 };
const chargeback = teamChargeback(team, environment);

// Budget notifications go to the team's own topic (and to the owner by e-mail).
const alerts = new aws.sns.Topic("vision-budget-alerts", { tags: chargebackTags(chargeback) });

const gpus = new GpuNodeGroup("vision-spot", {
    clusterName: config.require("clusterName"),
    nodeRoleArn: config.require("nodeRoleArn"),
    subnetIds: config.requireObject<string[]>("subnetIds"),
    chargeback,
    capacity: "spot",
    instanceTypes: ["g6.xlarge", "g5.xlarge"],
    minSize: 0,
    maxSize: 2,
    desiredSize: 0,
});

const budgets = new TeamBudgets("vision", {
    environment,
    teams: [team],
    // The components also budget the whole program: here that is the team's own spend.
    environmentBudgetUsd: team.monthlyBudgetUsd,
    alerts: { emails: [team.owner], warningPercent: 70, criticalPercent: 90 },
    platformOwner: team.owner,
    warningTopicArn: alerts.arn,
    criticalTopicArn: alerts.arn,
    chargeback,
    // The platform's stacks already activate the chargeback keys as cost allocation tags (once per payer account).
    activateCostAllocationTags: false,
});

export const nodeGroupName = gpus.nodeGroup.nodeGroupName;
export const maxGpus = gpus.maxGpus;
export const budgetNames = budgets.budgetNames;
