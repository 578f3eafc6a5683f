import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { projectStackPath } from "../names";
import * as yaml from "js-yaml";
import { lambdaArchive } from "../lambdaCode";
import { TEAM_METRIC_LABEL } from "../gateway/install";
import { METERING_QUOTAS_VARIABLE, TeamModelQuota } from "../modelSpend";
import { Tags } from "../tags";
import { SPEND_NAMESPACE, TOKENS_METRIC, TOKENS_NAMESPACE } from "./metering/constants";

/** The metering Lambda's sources (repository paths). */
export const METERING_SOURCES = ["components/monitoring/metering/meter.ts", "components/monitoring/metering/constants.ts", "components/modelPrices.ts"] as const;
/** OpenTelemetry Collector (contrib: prometheus receiver, cumulativetodelta, awsemf exporter). */
export const COLLECTOR_IMAGE = "otel/opentelemetry-collector-contrib:0.115.0";
/** Port name of the AI Gateway ext_proc sidecar's /metrics (ai-gateway examples/monitoring/monitoring.yaml at v1.1.0). */
export const AIGW_METRICS_PORT_NAME = "aigw-admin";

export interface ModelMeteringArgs {
    /** Prefix of every name: `ai-<stack>` in this program (components/names.ts, platformNamePrefix). */
    prefix: string;
    environment: string;
    region: string;
    clusterName: pulumi.Input<string>;
    /** Namespace of the gateway's Envoy pods (with the AI Gateway sidecar); the collector runs there too. */
    namespace: pulumi.Input<string>;
    provider: k8s.Provider;
    teams: TeamModelQuota[];
    /** Models served in-cluster: their tokens arrive as `openai` and cost nothing per token. */
    inClusterModels: string[];
    warningPercent: number;
    criticalPercent: number;
    warningTopicArn: pulumi.Input<string>;
    criticalTopicArn: pulumi.Input<string>;
    tags: Tags;
    /** Kubernetes labels for the collector objects. */
    labels: Record<string, string>;
    /** What the collector's Kubernetes objects wait for (the gateway, whose Envoy pods it scrapes). */
    dependsOn?: pulumi.Resource[];
}

/** The collector's configuration: scrape the sidecars' token histogram, write it as EMF per team, model and token type. */
export function collectorConfig(args: { region: string; namespace: string; logGroupName: string }): Record<string, unknown> {
    return {
        receivers: {
            prometheus: {
                config: {
                    scrape_configs: [{
                        job_name: "ai-gateway-extproc",
                        scrape_interval: "60s",
                        kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [args.namespace] } }],
                        relabel_configs: [
                            { source_labels: ["__meta_kubernetes_pod_container_port_name"], regex: AIGW_METRICS_PORT_NAME, action: "keep" },
                        ],
                        metrics_path: "/metrics",
                    }],
                },
            },
        },
        processors: {
            "filter/tokens": { metrics: { include: { match_type: "strict", metric_names: [TOKENS_METRIC] } } },
            // Prometheus histograms are cumulative per sidecar; CloudWatch wants what happened in each period.
            // initial_value stays `auto`: the receiver gives a new series (and every series after a collector
            // restart) a start time equal to its first scrape, so that first point is dropped, an undercount
            // of at most one scrape interval per series (README). `keep` would re-send a whole running total
            // after each collector restart. max_staleness forgets series of Envoy pods that are gone.
            cumulativetodelta: { include: { match_type: "strict", metrics: [TOKENS_METRIC] }, max_staleness: "1h" },
            batch: { timeout: "60s" },
        },
        exporters: {
            awsemf: {
                region: args.region,
                namespace: TOKENS_NAMESPACE,
                log_group_name: args.logGroupName,
                log_stream_name: "collector",
                dimension_rollup_option: "NoDimensionRollup",
                metric_declarations: [{
                    dimensions: [[TEAM_METRIC_LABEL, "gen_ai_provider_name", "gen_ai_request_model", "gen_ai_token_type"]],
                    metric_name_selectors: [`^${TOKENS_METRIC}$`],
                }],
            },
        },
        service: { pipelines: { metrics: { receivers: ["prometheus"], processors: ["filter/tokens", "cumulativetodelta", "batch"], exporters: ["awsemf"] } } },
    };
}

/**
 * Model-API chargeback: an OpenTelemetry Collector scrapes the AI Gateway's per-team token histogram
 * into CloudWatch (`AiInfra/Gateway`), an hourly Lambda prices it month to date (`AiInfra/ModelSpend`),
 * and each team gets warning and critical alarms on its model budget.
 */
export class ModelMetering extends pulumi.ComponentResource {
    readonly functionName: pulumi.Output<string>;
    readonly alarmNames: string[] = [];

    constructor(name: string, args: ModelMeteringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-infra:monitoring:ModelMetering", name, {}, opts);
        const parent = { parent: this };
        const { prefix, tags } = args;
        const logGroupName = `/aws/${projectStackPath("gateway-tokens")}`;

        // The collector: EMF to its own log group, through EKS Pod Identity.
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-tokens`, { name: logGroupName, retentionInDays: 90, tags }, parent);
        const collectorRole = new aws.iam.Role(`${name}-collector`, {
            description: `Gateway token metering collector of ${prefix}`,
            assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }] }),
            tags,
        }, parent);
        const collectorPolicy = new aws.iam.RolePolicy(`${name}-collector`, {
            role: collectorRole.name,
            policy: logGroup.arn.apply((arn) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [arn, `${arn}:*`] }],
            })),
        }, parent);
        const k = { parent: this, provider: args.provider, dependsOn: args.dependsOn };
        const meta = (n: string) => ({ name: n, namespace: args.namespace, labels: args.labels });
        const sa = new k8s.core.v1.ServiceAccount(`${name}-collector`, { metadata: meta("token-metering") }, k);
        const identity = new aws.eks.PodIdentityAssociation(`${name}-collector`, {
            clusterName: args.clusterName, namespace: args.namespace, serviceAccount: sa.metadata.name, roleArn: collectorRole.arn, tags,
        }, parent);
        const role = new k8s.rbac.v1.Role(`${name}-collector`, {
            metadata: meta("token-metering"),
            rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }],
        }, k);
        new k8s.rbac.v1.RoleBinding(`${name}-collector`, {
            metadata: meta("token-metering"),
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: sa.metadata.name, namespace: args.namespace }],
        }, k);
        const config = new k8s.core.v1.ConfigMap(`${name}-collector`, {
            metadata: meta("token-metering"),
            data: { "config.yaml": pulumi.output(args.namespace).apply((ns) => yaml.dump(collectorConfig({ region: args.region, namespace: ns, logGroupName }))) },
        }, k);
        new k8s.apps.v1.Deployment(`${name}-collector`, {
            metadata: meta("token-metering"),
            spec: {
                replicas: 1,
                selector: { matchLabels: { "app.kubernetes.io/name": "token-metering" } },
                template: {
                    metadata: { labels: { ...args.labels, "app.kubernetes.io/name": "token-metering" } },
                    spec: {
                        serviceAccountName: sa.metadata.name,
                        nodeSelector: { "ai-infra/node-role": "system" },
                        containers: [{
                            name: "collector",
                            image: COLLECTOR_IMAGE,
                            args: ["--config=/conf/config.yaml"],
                            resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
                            volumeMounts: [{ name: "config", mountPath: "/conf" }],
                        }],
                        volumes: [{ name: "config", configMap: { name: config.metadata.name } }],
                    },
                },
            },
            // EKS injects Pod Identity credentials only into pods created after the association exists
            // (CreatePodIdentityAssociation API reference): a collector started before it would write nothing.
        }, { ...k, dependsOn: [...(args.dependsOn ?? []), identity, collectorPolicy] });

        // The pricing Lambda, hourly.
        const functionName = `${prefix}-model-spend`;
        const lambdaRole = new aws.iam.Role(`${name}-meter`, {
            description: `Prices the gateway's token usage per team (${prefix})`,
            assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
            tags,
        }, parent);
        const basic = new aws.iam.RolePolicyAttachment(`${name}-meter-logs`, { role: lambdaRole.name, policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" }, parent);
        const metricsPolicy = new aws.iam.RolePolicy(`${name}-meter`, {
            role: lambdaRole.name,
            policy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    // CloudWatch metric reads support no resource-level permissions.
                    { Effect: "Allow", Action: ["cloudwatch:ListMetrics", "cloudwatch:GetMetricData"], Resource: "*" },
                    { Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": SPEND_NAMESPACE } } },
                ],
            }),
        }, parent);
        const lambdaLogs = new aws.cloudwatch.LogGroup(`${name}-meter-logs`, { name: `/aws/lambda/${functionName}`, retentionInDays: 90, tags }, parent);
        const fn = new aws.lambda.Function(`${name}-meter`, {
            name: functionName,
            description: "Prices each team's month-to-date gateway tokens (components/modelPrices.ts) into AiInfra/ModelSpend",
            runtime: aws.lambda.Runtime.NodeJS22dX,
            handler: "components/monitoring/metering/meter.handler",
            code: lambdaArchive(METERING_SOURCES),
            role: lambdaRole.arn,
            timeout: 300,
            memorySize: 256,
            environment: {
                variables: {
                    ENVIRONMENT: args.environment,
                    TEAMS: JSON.stringify(args.teams.map((t) => t.team)),
                    IN_CLUSTER_MODELS: JSON.stringify(args.inClusterModels),
                    [METERING_QUOTAS_VARIABLE]: JSON.stringify(args.teams),
                },
            },
            tags,
        }, { parent: this, dependsOn: [basic, metricsPolicy, lambdaLogs] });
        const schedule = new aws.cloudwatch.EventRule(`${name}-hourly`, { description: `Run ${functionName} every hour`, scheduleExpression: "rate(1 hour)", tags }, parent);
        const permission = new aws.lambda.Permission(`${name}-hourly`, { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: schedule.arn }, parent);
        new aws.cloudwatch.EventTarget(`${name}-hourly`, { rule: schedule.name, arn: fn.arn }, { parent: this, dependsOn: [permission] });
        this.functionName = fn.name;

        const alarm = (alarmName: string, props: Omit<aws.cloudwatch.MetricAlarmArgs, "name" | "tags">) => {
            this.alarmNames.push(alarmName);
            return new aws.cloudwatch.MetricAlarm(`${name}-${alarmName}`, { name: alarmName, ...props, tags }, parent);
        };
        for (const t of args.teams) {
            for (const [severity, pct, topic] of [["warning", args.warningPercent, args.warningTopicArn], ["critical", args.criticalPercent, args.criticalTopicArn]] as const) {
                const threshold = Math.round(t.modelBudgetUsd * pct) / 100;
                alarm(`${prefix}-${t.team}-model-spend-${severity}`, {
                    alarmDescription: `${t.team}: model-API spend this month reached ${pct} % of its $${t.modelBudgetUsd} model budget (${severity})`,
                    namespace: SPEND_NAMESPACE, metricName: "MonthToDateUsd", dimensions: { Environment: args.environment, Team: t.team },
                    statistic: "Maximum", period: 3600, evaluationPeriods: 1, datapointsToAlarm: 1,
                    comparisonOperator: "GreaterThanOrEqualToThreshold", threshold,
                    // The Lambda publishes every team every hour, zero included: a gap means the metering stopped,
                    // which its error alarm reports; it is not spend.
                    treatMissingData: "missing",
                    alarmActions: [topic], okActions: [topic],
                });
            }
        }
        alarm(`${prefix}-model-spend-metering-errors-warning`, {
            alarmDescription: `The model-spend metering Lambda failed: team model budgets are not being checked. Read /aws/lambda/${functionName}.`,
            namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: functionName },
            statistic: "Sum", period: 3600, evaluationPeriods: 1, comparisonOperator: "GreaterThanThreshold", threshold: 0,
            // An hour without invocations also leaves no Errors datapoint; missing is not an error.
            treatMissingData: "notBreaching",
            alarmActions: [args.warningTopicArn],
        });
        this.registerOutputs({ functionName: this.functionName });
    }
}
