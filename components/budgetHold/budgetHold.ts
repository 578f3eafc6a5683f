import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags } from "../tags";
import type { Approval } from "./budgetAction";
import { HOLD_TAG } from "./constants";
import { lambdaArchive } from "../lambdaCode";

/** The budget hold Lambda's sources (repository paths); they import only each other and the AWS SDK v3. */
export const HOLD_SOURCES = [
    "components/budgetHold/handler.ts", "components/budgetHold/hold.ts", "components/budgetHold/budgetAction.ts", "components/budgetHold/constants.ts",
] as const;

/** How often the Lambda re-reads the teams' budget actions: the longest a console approval waits for its hold. */
export const RECONCILE_SCHEDULE = "rate(10 minutes)";

export interface BudgetHoldArgs {
    /** Prefix of every name: `ai-<stack>` in this program (components/names.ts, platformNamePrefix). */
    prefix: string;
    /** EKS cluster whose team node groups are held (by their `team` tag). */
    clusterName: string;
    /**
     * Teams with a hard limit; each gets its own hold topic. `budgetName` is the team's cost budget, whose
     * action the Lambda reads; `approval` says whether a notification holds at once (`automatic`) or only
     * once the action has been approved (`manual`).
     */
    teams: { id: string; approval: Approval; budgetName: string }[];
    /** KMS key of the alert topics: the hold topics use it too, so AWS Budgets can publish to them. */
    alertsKeyArn: pulumi.Input<string>;
    /** Where the Lambda reports what it changed, and where its error alarm goes (the critical topic). */
    reportTopicArn: pulumi.Input<string>;
    /** Log retention in days. Default 365: the hold's audit trail. */
    logRetentionDays?: number;
    tags: Tags;
}

/** The Lambda's name for a prefix: what `npm run budget` and `aws lambda invoke` call. */
export const holdFunctionName = (prefix: string) => `${prefix}-budget-hold`;
export const holdTopicName = (prefix: string, team: string) => `${prefix}-${team}-budget-hold`;

/** Least privilege: read the cluster's node groups and the teams' budget actions, change only Auto Scaling groups EKS made for this cluster. */
export function holdPolicy(accountId: string, region: string, clusterName: string, reportTopicArn: string, keyArn: string, budgetNames: readonly string[]): object {
    return {
        Version: "2012-10-17",
        Statement: [
            // Read only: approving or reversing an action is a person's call (`npm run budget`), never the Lambda's.
            {
                Sid: "ReadBudgetActions", Effect: "Allow", Action: "budgets:DescribeBudgetActionsForBudget",
                Resource: budgetNames.map((b) => `arn:aws:budgets::${accountId}:budget/${b}`),
            },
            {
                Sid: "ReadNodeGroups", Effect: "Allow", Action: ["eks:ListNodegroups", "eks:DescribeNodegroup"],
                Resource: [`arn:aws:eks:${region}:${accountId}:cluster/${clusterName}`, `arn:aws:eks:${region}:${accountId}:nodegroup/${clusterName}/*`],
            },
            // Describe calls support no resource-level permissions.
            { Sid: "ReadGroups", Effect: "Allow", Action: "autoscaling:DescribeAutoScalingGroups", Resource: "*" },
            {
                // EKS tags the Auto Scaling group of every managed node group for the Cluster Autoscaler,
                // `k8s.io/cluster-autoscaler/<cluster>=owned` (EKS user guide, "Managed node groups").
                Sid: "HoldClusterGroups", Effect: "Allow",
                Action: ["autoscaling:UpdateAutoScalingGroup", "autoscaling:SuspendProcesses", "autoscaling:ResumeProcesses", "autoscaling:CreateOrUpdateTags", "autoscaling:DeleteTags"],
                Resource: `arn:aws:autoscaling:${region}:${accountId}:autoScalingGroup:*:autoScalingGroupName/*`,
                Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
            },
            { Sid: "Report", Effect: "Allow", Action: "sns:Publish", Resource: reportTopicArn },
            { Sid: "ReportEncrypted", Effect: "Allow", Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: keyArn },
        ],
    };
}

/**
 * The hard limit's teeth: one SNS topic per team that a budget notification publishes to, and a Lambda
 * that holds the team's GPU node groups (see hold.ts) and reports to the critical topic. An alarm on the
 * Lambda's errors makes a hold that did not happen loud.
 */
export class BudgetHold extends pulumi.ComponentResource {
    readonly functionName: pulumi.Output<string>;
    /** Team id → topic a budget notification publishes to. */
    readonly topicArns: Record<string, pulumi.Output<string>> = {};

    constructor(name: string, args: BudgetHoldArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-infra:budgets:BudgetHold", name, {}, opts);
        const parent = { parent: this };
        const { prefix, tags } = args;
        const account = aws.getCallerIdentityOutput({}, parent);
        const region = aws.getRegionOutput({}, parent);

        const role = new aws.iam.Role(`${name}-role`, {
            description: `Budget hold of ${prefix}: caps team GPU node groups when their budget is spent`,
            assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
            tags,
        }, parent);
        const logs = new aws.iam.RolePolicyAttachment(`${name}-logs`, { role: role.name, policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" }, parent);
        const policy = new aws.iam.RolePolicy(`${name}-hold`, {
            role: role.name,
            policy: pulumi.all([account.accountId, region.region, args.reportTopicArn, args.alertsKeyArn])
                .apply(([id, r, topic, key]) => JSON.stringify(holdPolicy(id, r, args.clusterName, topic, key, args.teams.map((t) => t.budgetName)))),
        }, parent);
        const functionName = holdFunctionName(prefix);
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { name: `/aws/lambda/${functionName}`, retentionInDays: args.logRetentionDays ?? 365, tags }, parent);

        const topics = args.teams.map((entry) => {
            const team = entry.id;
            const topic = new aws.sns.Topic(`${name}-${team}`, { name: holdTopicName(prefix, team), kmsMasterKeyId: args.alertsKeyArn, tags }, parent);
            new aws.sns.TopicPolicy(`${name}-${team}`, {
                arn: topic.arn,
                policy: pulumi.all([topic.arn, account.accountId]).apply(([arn, id]) => JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Sid: "Budgets", Effect: "Allow", Principal: { Service: "budgets.amazonaws.com" }, Action: "SNS:Publish", Resource: arn, Condition: { StringEquals: { "aws:SourceAccount": id } } }],
                })),
            }, parent);
            this.topicArns[team] = topic.arn;
            return { team, topic, entry };
        });

        const fn = new aws.lambda.Function(`${name}-fn`, {
            name: functionName,
            description: `Holds a team's GPU node groups in ${args.clusterName} when its budget action fires (tag ${HOLD_TAG} records what changed)`,
            runtime: aws.lambda.Runtime.NodeJS22dX,
            handler: "components/budgetHold/handler.handler",
            code: lambdaArchive(HOLD_SOURCES),
            role: role.arn,
            timeout: 120,
            memorySize: 256,
            // No reserved concurrency: a fresh account's 10 concurrent executions cannot spare any (Lambda keeps
            // 10 unreserved). Concurrent holds of one team are safe: both describe the same pre-hold state, so
            // the record they write is the same, and every later step is idempotent.
            environment: {
                variables: {
                    CLUSTER_NAME: args.clusterName,
                    ACCOUNT_ID: account.accountId,
                    REPORT_TOPIC_ARN: args.reportTopicArn,
                    TEAMS: pulumi.all(topics.map((t) => t.topic.arn)).apply((arns) => JSON.stringify(Object.fromEntries(topics.map(({ team, entry }, i) =>
                        [team, { topicArn: arns[i], budgetName: entry.budgetName, approval: entry.approval }])))),
                },
            },
            tags,
        }, { parent: this, dependsOn: [logs, policy, logGroup] });
        for (const { team, topic } of topics) {
            const permission = new aws.lambda.Permission(`${name}-${team}`, { action: "lambda:InvokeFunction", function: fn.name, principal: "sns.amazonaws.com", sourceArn: topic.arn }, parent);
            new aws.sns.TopicSubscription(`${name}-${team}`, { topic: topic.arn, protocol: "lambda", endpoint: fn.arn }, { parent: this, dependsOn: [permission] });
        }
        // A console approval sends nothing the Lambda can rely on (budgetAction.ts): re-read every action on a schedule.
        const schedule = new aws.cloudwatch.EventRule(`${name}-reconcile`, {
            name: `${functionName}-reconcile`,
            description: `Holds the GPU node groups of every team whose budget action has run (approved in the console, or automatic)`,
            scheduleExpression: RECONCILE_SCHEDULE,
            tags,
        }, parent);
        const schedulePermission = new aws.lambda.Permission(`${name}-reconcile`, { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: schedule.arn }, parent);
        new aws.cloudwatch.EventTarget(`${name}-reconcile`, { rule: schedule.name, arn: fn.arn, input: JSON.stringify({ action: "reconcile" }) }, { parent: this, dependsOn: [schedulePermission] });
        // A failed hold throws (SNS and EventBridge retry): any error is worth a critical e-mail.
        new aws.cloudwatch.MetricAlarm(`${name}-errors`, {
            name: `${functionName}-errors-critical`,
            alarmDescription: `The budget hold Lambda failed: a team's GPU capacity may not be held. Read /aws/lambda/${functionName}.`,
            namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: functionName },
            statistic: "Sum", comparisonOperator: "GreaterThanThreshold", threshold: 0, period: 300, evaluationPeriods: 1,
            // Errors are counted only when an invocation failed; an empty period is a healthy one.
            treatMissingData: "notBreaching",
            alarmActions: [args.reportTopicArn],
            tags,
        }, { parent: this, dependsOn: [fn] });
        this.functionName = fn.name;
        this.registerOutputs({ functionName: this.functionName, topicArns: this.topicArns });
    }
}
