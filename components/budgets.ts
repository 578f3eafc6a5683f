import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BudgetHold } from "./budgetHold/budgetHold";
import { INSTANCE_TYPES } from "./catalog";
import { defaultNamePrefix } from "./names";
import type { AlertsConfig, Environment, TeamConfig } from "./config";
import { Chargeback, chargebackTags, REQUIRED_TAG_KEYS, TAG_KEYS, teamChargeback } from "./tags";

export interface TeamBudgetsArgs {
    environment: Environment;
    teams: TeamConfig[];
    /** Environment-wide monthly budget. */
    environmentBudgetUsd: number;
    alerts: AlertsConfig;
    /** Platform owner e-mail, notified on the environment budget. */
    platformOwner: string;
    warningTopicArn: pulumi.Input<string>;
    criticalTopicArn: pulumi.Input<string>;
    /** The platform's chargeback identity. */
    chargeback: Chargeback;
    /**
     * Activate the chargeback keys as cost allocation tags (account-wide, once per payer account). Default
     * false: AWS rejects activating a key that has not yet appeared in billing data (up to 24 hours after
     * the first tagged resource), which would fail a fresh account's first `pulumi up`. Turn it on in one
     * stack per payer account as the second step (README, "What you are charged for and who sees it").
     */
    activateCostAllocationTags?: boolean;
    /** Start of the budget and anomaly monitor names (account-wide, so unique per stack). Default `<project>-<stack>`. */
    namePrefix?: string;
    /**
     * Where the hard limit holds GPU capacity: the cluster whose team node groups are held, and the alert
     * topics' KMS key (the hold topics use it too). Absent: teams' budgetAction only attaches the IAM deny.
     */
    hold?: { clusterName: string; alertsKeyArn: pulumi.Input<string> };
}

/** A team's monthly cost budget: what its budget action hangs off and what the hold Lambda reads. */
export const teamBudgetName = (prefix: string, team: string) => `${prefix}-${team}`;

/** Budgets filter on a cost allocation tag as `user:<key>$<value>`. */
export const tagFilter = (key: string, value: string) => `user:${key}$${value}`;

export interface NotificationSpec {
    notificationType: "ACTUAL" | "FORECASTED";
    threshold: number;
    severity: "warning" | "critical";
}

/** ACTUAL at warning %, critical % and 100 %; FORECASTED at 100 % (an early heads-up, so a warning). */
export function budgetNotifications(alerts: Pick<AlertsConfig, "warningPercent" | "criticalPercent">): NotificationSpec[] {
    const specs: NotificationSpec[] = [
        { notificationType: "ACTUAL", threshold: alerts.warningPercent, severity: "warning" },
        { notificationType: "ACTUAL", threshold: alerts.criticalPercent, severity: "critical" },
        { notificationType: "FORECASTED", threshold: 100, severity: "warning" },
    ];
    if (alerts.criticalPercent !== 100) specs.splice(2, 0, { notificationType: "ACTUAL", threshold: 100, severity: "critical" });
    return specs;
}

/** Instance families that carry GPUs, from the catalog: what a budget action stops a team from launching. */
export function gpuFamilies(): string[] {
    return [...new Set([...INSTANCE_TYPES.values()].filter((t) => t.gpus > 0).map((t) => t.family))].sort();
}

/** The IAM policy a budget action attaches to a team's deploy role at 100 %: no new or larger GPU capacity. */
export function denyGpuCapacityPolicy(team: string): object {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "NoGpuInstances", Effect: "Deny", Action: "ec2:RunInstances", Resource: "arn:aws:ec2:*:*:instance/*",
                Condition: { StringLike: { "ec2:InstanceType": gpuFamilies().map((f) => `${f}.*`) } },
            },
            {
                Sid: "NoNodeGroupGrowth", Effect: "Deny",
                Action: ["eks:CreateNodegroup", "eks:UpdateNodegroupConfig", "eks:UpdateNodegroupVersion"], Resource: "*",
                Condition: { StringEquals: { [`aws:ResourceTag/${TAG_KEYS.team}`]: team } },
            },
            {
                Sid: "NoNewTeamNodeGroups", Effect: "Deny", Action: "eks:CreateNodegroup", Resource: "*",
                Condition: { StringEquals: { [`aws:RequestTag/${TAG_KEYS.team}`]: team } },
            },
        ],
    };
}

/**
 * Chargeback in AWS Budgets: a monthly cost budget per team (on its `team` tag) and for the environment,
 * warning/critical/100 % notifications to the owners and the alert topics, optional hard limits, the
 * chargeback tag keys activated, and anomaly detection per team.
 */
export class TeamBudgets extends pulumi.ComponentResource {
    readonly budgetNames: Record<string, pulumi.Output<string>> = {};

    constructor(name: string, args: TeamBudgetsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-infra:budgets:TeamBudgets", name, {}, opts);
        const parent = { parent: this };
        const tags = chargebackTags(args.chargeback);
        const prefix = args.namePrefix ?? defaultNamePrefix();
        // A budget notification has one SNS subscriber: for a team held automatically, the 100 % one goes to
        // the team's hold topic, and the hold Lambda reports to the critical topic what it changed.
        const notifications = (emails: string[], holdTopicArn?: pulumi.Input<string>) => budgetNotifications(args.alerts).map((n) => ({
            comparisonOperator: "GREATER_THAN",
            notificationType: n.notificationType,
            threshold: n.threshold,
            thresholdType: "PERCENTAGE",
            subscriberEmailAddresses: emails,
            subscriberSnsTopicArns: [holdTopicArn && n.notificationType === "ACTUAL" && n.threshold === 100 ? holdTopicArn
                : n.severity === "warning" ? args.warningTopicArn : args.criticalTopicArn],
        }));
        const limited = args.teams.filter((t) => t.budgetAction);
        const hold = args.hold && limited.length > 0 ? new BudgetHold(`${name}-hold`, {
            prefix,
            clusterName: args.hold.clusterName,
            teams: limited.map((t) => ({ id: t.id, approval: t.budgetAction!.approval, budgetName: teamBudgetName(prefix, t.id) })),
            alertsKeyArn: args.hold.alertsKeyArn,
            reportTopicArn: args.criticalTopicArn,
            tags,
        }, parent) : undefined;
        const budget = (id: string, budgetName: string, limit: number, filter: string, emails: string[], budgetTags: Record<string, string>, holdTopicArn?: pulumi.Input<string>) =>
            new aws.budgets.Budget(id, {
                name: budgetName,
                budgetType: "COST",
                timeUnit: "MONTHLY",
                limitAmount: limit.toFixed(2),
                limitUnit: "USD",
                costFilters: [{ name: "TagKeyValue", values: [filter] }],
                notifications: notifications(emails, holdTopicArn),
                tags: budgetTags,
            }, parent);

        const envBudget = budget(`${name}-environment`, prefix, args.environmentBudgetUsd,
            tagFilter(TAG_KEYS.environment, args.environment), [args.platformOwner], tags);
        this.budgetNames[args.environment] = envBudget.name;

        for (const team of args.teams) {
            const teamTags = chargebackTags(teamChargeback(team, args.environment));
            const holdTopicArn = team.budgetAction?.approval === "automatic" ? hold?.topicArns[team.id] : undefined;
            const b = budget(`${name}-${team.id}`, teamBudgetName(prefix, team.id), team.monthlyBudgetUsd, tagFilter(TAG_KEYS.team, team.id), [team.owner], teamTags, holdTopicArn);
            this.budgetNames[team.id] = b.name;
            if (team.budgetAction) this.hardLimit(name, args, team, b, teamTags, hold?.topicArns[team.id]);
        }

        if (args.activateCostAllocationTags ?? false) {
            for (const key of REQUIRED_TAG_KEYS.filter((k) => k !== TAG_KEYS.managedBy)) {
                new aws.costexplorer.CostAllocationTag(`${name}-tag-${key}`, { tagKey: key, status: "Active" }, parent);
            }
        }

        if (args.teams.length > 0) {
            const monitor = new aws.costexplorer.AnomalyMonitor(`${name}-anomalies`, {
                name: `${prefix}-teams`,
                monitorType: "CUSTOM",
                monitorSpecification: JSON.stringify({ Tags: { Key: TAG_KEYS.team, Values: args.teams.map((t) => t.id), MatchOptions: ["EQUALS"] } }),
                tags,
            }, parent);
            new aws.costexplorer.AnomalySubscription(`${name}-anomalies`, {
                name: `${prefix}-teams`,
                frequency: "IMMEDIATE",
                monitorArnLists: [monitor.arn],
                subscribers: [{ type: "SNS", address: args.warningTopicArn }],
                // Ignore noise: only anomalies worth at least $100 of unexpected spend.
                thresholdExpression: { dimension: { key: "ANOMALY_TOTAL_IMPACT_ABSOLUTE", matchOptions: ["GREATER_THAN_OR_EQUAL"], values: ["100"] } },
                tags,
            }, parent);
        }
        this.registerOutputs({ budgetNames: this.budgetNames });
    }

    private hardLimit(name: string, args: TeamBudgetsArgs, team: TeamConfig, budget: aws.budgets.Budget, tags: Record<string, string>, holdTopicArn?: pulumi.Input<string>): void {
        const action = team.budgetAction!;
        const policy = new aws.iam.Policy(`${name}-${team.id}-deny-gpu`, {
            description: `Applied by AWS Budgets when ${team.id} reaches 100 % of its budget`,
            policy: JSON.stringify(denyGpuCapacityPolicy(team.id)),
            tags,
        }, { parent: this });
        const executionRole = new aws.iam.Role(`${name}-${team.id}-budget-action`, {
            description: `Lets AWS Budgets attach the GPU deny policy to ${action.deployRole}`,
            assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "budgets.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
            tags,
        }, { parent: this });
        new aws.iam.RolePolicy(`${name}-${team.id}-budget-action`, {
            role: executionRole.name,
            policy: pulumi.all([policy.arn, aws.getCallerIdentityOutput({}, { parent: this }).accountId]).apply(([policyArn, accountId]) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [{
                    // This account's role, with or without an IAM path.
                    Effect: "Allow", Action: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
                    Resource: [`arn:aws:iam::${accountId}:role/${action.deployRole}`, `arn:aws:iam::${accountId}:role/*/${action.deployRole}`],
                    Condition: { ArnEquals: { "iam:PolicyARN": policyArn } },
                }],
            })),
        }, { parent: this });
        new aws.budgets.BudgetAction(`${name}-${team.id}`, {
            budgetName: budget.name,
            actionType: "APPLY_IAM_POLICY",
            approvalModel: action.approval === "automatic" ? "AUTOMATIC" : "MANUAL",
            notificationType: "ACTUAL",
            actionThreshold: { actionThresholdType: "PERCENTAGE", actionThresholdValue: 100 },
            definition: { iamActionDefinition: { policyArn: policy.arn, roles: [action.deployRole] } },
            executionRoleArn: executionRole.arn,
            // The action tells its subscribers when it is pending and when it has run (user guide, budgets-controls):
            // the hold topic makes the Lambda read the action's status then, on top of its schedule.
            subscribers: [{ address: team.owner, subscriptionType: "EMAIL" }, ...(holdTopicArn ? [{ address: holdTopicArn, subscriptionType: "SNS" }] : [])],
            tags,
        }, { parent: this });
    }
}
