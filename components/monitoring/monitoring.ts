import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { defaultNamePrefix } from "../names";
import type { AlertsConfig, Environment, TeamConfig } from "../config";
import { Chargeback, chargebackTags } from "../tags";
import { AlarmSpec, alarmSpecs, anyOfRule, criticalConditions, pageRule } from "./alarms";
import { dashboardBody } from "./dashboard";

export interface MonitoringArgs {
    environment: Environment;
    region: string;
    /** EKS cluster to observe (the add-on goes on it). */
    clusterName: pulumi.Input<string>;
    /** The cluster name as text, for metric dimensions and names. */
    clusterNameText: string;
    /** Start of the topic, alarm and dashboard names (dashboards are account-wide). Default `<project>-<stack>`. */
    namePrefix?: string;
    /** ElastiCache node ids of the rate-limit store. */
    cacheNodes: string[];
    /** Namespace of the gateway's Envoy pods. */
    gatewayNamespace: string;
    alerts: AlertsConfig;
    teams: TeamConfig[];
    environmentBudgetUsd: number;
    /** The platform's chargeback identity. */
    chargeback: Chargeback;
}

/** The MetricAlarm inputs that say what is measured: one metric, or metric math / a Metrics Insights query. */
export function metricAlarmSource(s: AlarmSpec): Pick<aws.cloudwatch.MetricAlarmArgs, "namespace" | "metricName" | "dimensions" | "statistic" | "period" | "metricQueries"> {
    if (s.metric) {
        return { namespace: s.metric.namespace, metricName: s.metric.metricName, dimensions: s.metric.dimensions, statistic: s.metric.statistic, period: s.periodSeconds };
    }
    return {
        metricQueries: (s.queries ?? []).map((q) => ({
            id: q.id,
            returnData: q.returnData,
            // A Metrics Insights query carries its own period; a math expression takes its inputs'.
            ...(q.expression ? { expression: q.expression, label: q.label, ...(/^\s*SELECT\b/i.test(q.expression) ? { period: s.periodSeconds } : {}) } : {}),
            ...(q.metric ? { metric: { namespace: q.metric.namespace, metricName: q.metric.metricName, dimensions: q.metric.dimensions, stat: q.metric.statistic, period: s.periodSeconds } } : {}),
        })),
    };
}

/**
 * The add-on's agent settings the alarms depend on, set explicitly rather than left to the add-on's
 * defaults: enhanced observability (pod status, container-over-limit metrics) and accelerated compute
 * (NVIDIA DCGM GPU metrics).
 */
export const OBSERVABILITY_CONFIGURATION = {
    agent: { config: { logs: { metrics_collected: { kubernetes: { enhanced_container_insights: true, accelerated_compute_metrics: true } } } } },
};

/** The composite alarm's name, which the pager subscription filters on. */
export const pageAlarmName = (prefix: string) => `${prefix}-page`;

/**
 * Container Insights with GPU metrics, two encrypted SNS topics, warning and critical alarms on every
 * watched metric, one composite page and a three-row dashboard.
 */
export class Monitoring extends pulumi.ComponentResource {
    readonly warningTopicArn: pulumi.Output<string>;
    readonly criticalTopicArn: pulumi.Output<string>;
    /** KMS key of the alert topics; other topics AWS Budgets publishes to (the budget hold's) use it too. */
    readonly alertsKeyArn: pulumi.Output<string>;
    readonly alarmNames: string[];
    readonly dashboardName: pulumi.Output<string>;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-infra:monitoring:Monitoring", name, {}, opts);
        const parent = { parent: this };
        const tags = chargebackTags(args.chargeback);
        const prefix = args.namePrefix ?? defaultNamePrefix();

        // Container Insights (enhanced observability, NVIDIA GPU metrics via DCGM) with Pod Identity.
        const agentRole = new aws.iam.Role(`${name}-cloudwatch-agent`, {
            description: "Amazon CloudWatch Observability add-on (Container Insights)",
            assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }] }),
            tags,
        }, parent);
        const agentPolicy = new aws.iam.RolePolicyAttachment(`${name}-cloudwatch-agent`, { role: agentRole.name, policyArn: "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy" }, parent);
        new aws.eks.Addon(`${name}-observability`, {
            clusterName: args.clusterName,
            addonName: "amazon-cloudwatch-observability",
            configurationValues: JSON.stringify(OBSERVABILITY_CONFIGURATION),
            podIdentityAssociations: [{ roleArn: agentRole.arn, serviceAccount: "cloudwatch-agent" }],
            resolveConflictsOnCreate: "OVERWRITE",
            resolveConflictsOnUpdate: "PRESERVE",
            tags,
        }, { parent: this, dependsOn: [agentPolicy] });

        // CloudWatch, Budgets and Cost Anomaly Detection cannot publish to a topic encrypted with the
        // AWS-managed SNS key, so the topics get a customer key that lets exactly those services in.
        const account = aws.getCallerIdentityOutput({}, parent);
        const key = new aws.kms.Key(`${name}-alerts`, {
            description: `SNS alert topics of ${prefix}`,
            enableKeyRotation: true,
            policy: account.accountId.apply((id) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    { Sid: "Account", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${id}:root` }, Action: "kms:*", Resource: "*" },
                    {
                        // Only on behalf of this account (confused-deputy guard, as on the topic policies).
                        Sid: "AlertPublishers", Effect: "Allow",
                        Principal: { Service: ["cloudwatch.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com"] },
                        Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*",
                        Condition: { StringEquals: { "aws:SourceAccount": id } },
                    },
                ],
            })),
            tags,
        }, parent);
        const topic = (severity: "warning" | "critical") => {
            const t = new aws.sns.Topic(`${name}-${severity}`, { name: `${prefix}-${severity}`, kmsMasterKeyId: key.arn, tags }, parent);
            new aws.sns.TopicPolicy(`${name}-${severity}`, {
                arn: t.arn,
                policy: pulumi.all([t.arn, account.accountId]).apply(([arn, id]) => JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{
                        Sid: "AlertPublishers", Effect: "Allow",
                        Principal: { Service: ["cloudwatch.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com"] },
                        Action: "SNS:Publish", Resource: arn,
                        Condition: { StringEquals: { "aws:SourceAccount": id } },
                    }],
                })),
            }, parent);
            args.alerts.emails.forEach((email, i) => new aws.sns.TopicSubscription(`${name}-${severity}-email-${i}`, { topic: t.arn, protocol: "email", endpoint: email }, parent));
            return t;
        };
        this.alertsKeyArn = key.arn;
        const warning = topic("warning");
        const critical = topic("critical");
        if (args.alerts.webhookUrl) {
            // The pager hears the composite page only; e-mail gets every critical alarm.
            new aws.sns.TopicSubscription(`${name}-page-webhook`, {
                topic: critical.arn,
                protocol: "https",
                endpoint: pulumi.secret(args.alerts.webhookUrl),
                filterPolicyScope: "MessageBody",
                filterPolicy: JSON.stringify({ AlarmName: [pageAlarmName(prefix)] }),
            }, parent);
        }
        this.warningTopicArn = warning.arn;
        this.criticalTopicArn = critical.arn;

        const specs = alarmSpecs({
            prefix, clusterName: args.clusterNameText, cacheNodes: args.cacheNodes, gatewayNamespace: args.gatewayNamespace,
            warningPercent: args.alerts.warningPercent, criticalPercent: args.alerts.criticalPercent,
        });
        const alarms = specs.map((s) => new aws.cloudwatch.MetricAlarm(`${name}-${s.name}`, {
            name: s.name,
            alarmDescription: s.description,
            ...metricAlarmSource(s),
            comparisonOperator: s.comparisonOperator,
            threshold: s.threshold,
            evaluationPeriods: s.evaluationPeriods,
            datapointsToAlarm: s.datapointsToAlarm,
            treatMissingData: s.treatMissingData,
            alarmActions: [s.severity === "warning" ? warning.arn : critical.arn],
            okActions: [s.severity === "warning" ? warning.arn : critical.arn],
            tags,
        }, parent));
        this.alarmNames = specs.map((s) => s.name);
        const conditions = criticalConditions(prefix, specs);
        // Folding composites notify nobody: they exist to be counted once by the page.
        const folds = conditions.filter((c) => c.members.length > 1).map((c) => new aws.cloudwatch.CompositeAlarm(`${name}-${c.alarmName}`, {
            alarmName: c.alarmName,
            alarmDescription: `Any ${c.condition} alarm (critical)`,
            alarmRule: anyOfRule(c.members),
            tags,
        }, { parent: this, dependsOn: alarms }));
        new aws.cloudwatch.CompositeAlarm(`${name}-page`, {
            alarmName: pageAlarmName(prefix),
            alarmDescription: `Page: two or more critical conditions at once in ${args.environment}`,
            alarmRule: pageRule(conditions),
            alarmActions: [critical.arn],
            okActions: [critical.arn],
            tags,
        }, { parent: this, dependsOn: [...alarms, ...folds] });

        const dashboard = new aws.cloudwatch.Dashboard(`${name}-dashboard`, {
            dashboardName: prefix,
            dashboardBody: JSON.stringify(dashboardBody({
                region: args.region, environment: args.environment, clusterName: args.clusterNameText, cacheNodes: args.cacheNodes,
                gatewayNamespace: args.gatewayNamespace, teams: args.teams, environmentBudgetUsd: args.environmentBudgetUsd,
                warningPercent: args.alerts.warningPercent, criticalPercent: args.alerts.criticalPercent,
            })),
        }, parent);
        this.dashboardName = dashboard.dashboardName;
        this.registerOutputs({ warningTopicArn: this.warningTopicArn, criticalTopicArn: this.criticalTopicArn, dashboardName: this.dashboardName });
    }
}
