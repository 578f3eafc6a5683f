import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Environment } from "../config";
import type { RateLimitFailureMode } from "../configGateway";
import { Chargeback, chargebackTags } from "../tags";

/**
 * Alarm when the rate-limit service cannot reach its store, from the service's own logs: no metrics
 * pipeline needed, only what the stack already installs.
 *
 * - The service is the `envoy-ratelimit` container Envoy Gateway deploys in its namespace
 *   (envoyproxy/gateway v1.8.3 internal/infrastructure/kubernetes/ratelimit/resource.go:97, :161), logging
 *   at info in text (LOG_LEVEL info, resource.go:317-320; envoyproxy/ratelimit settings.go:50 LOG_FORMAT
 *   defaults to text). Its image is envoyproxy/ratelimit 1e50889b (gateway-helm values.tmpl.yaml:22).
 * - Every failed dial to the store (unreachable, failover, TLS or AUTH rejected) is logged at error as
 *   "creating redis connection error : <err>" (ratelimit src/redis/driver_impl.go:49, the pool trace);
 *   the pool re-dials a dropped connection at most every 4 s while it stays down (radix v4.1.4
 *   pool.go:147-148, :304-335, :345-366), so an outage keeps logging. A pod that starts while the store is
 *   down logs "Retrying Redis connection" and then panics with "timed out waiting for Redis connection"
 *   (driver_impl.go:266, :269).
 * - Not covered: a store that is reachable but refuses writes (out of memory under `noeviction`): that
 *   error is only logged at debug (ratelimit src/service/ratelimit.go:421) and counted in the service's
 *   `redis_error` statistic. The cache's memory alarms fire before it.
 * - The Container Insights add-on's Fluent Bit ships every container's stdout to
 *   `/aws/containerinsights/<cluster>/application`, one JSON event per line with the text in `log` and
 *   the pod's `kubernetes.namespace_name` / `kubernetes.container_name` (aws-observability/helm-charts
 *   at 71a298f, charts/amazon-cloudwatch-observability/values.yaml: containerLogs.enabled defaults to
 *   true at :29-30; input, kubernetes filter and output at :92-159).
 */
export const RATE_LIMIT_CONTAINER = "envoy-ratelimit";
export const STORE_ERROR_LOG_LINES = ["creating redis connection error", "Retrying Redis connection", "timed out waiting for Redis connection"] as const;
export const STORE_ERROR_METRIC = "RateLimitStoreConnectionErrors";

export const applicationLogGroupName = (cluster: string) => `/aws/containerinsights/${cluster}/application`;
export const storeMetricNamespace = (cluster: string) => `ai-infra/${cluster}`;

/** The CloudWatch Logs filter pattern matching the rate-limit service's store errors, and nothing else. */
export function storeErrorFilterPattern(gatewayNamespace: string): string {
    const lines = STORE_ERROR_LOG_LINES.map((l) => `($.log = "*${l}*")`).join(" || ");
    return `{ ($.kubernetes.namespace_name = "${gatewayNamespace}") && ($.kubernetes.container_name = "${RATE_LIMIT_CONTAINER}") && (${lines}) }`;
}

/** What the alarm tells the on-call person, by failure mode. */
export function storeAlarmDescription(failureMode: RateLimitFailureMode): string {
    const effect = failureMode === "open"
        ? "Quotas are NOT enforced while this lasts (rateLimitFailureMode: open): every request passes unlimited."
        : "Every gateway request is answered 500 while this lasts (rateLimitFailureMode: closed).";
    return `The gateway's rate-limit service cannot reach its store (ElastiCache): failover, maintenance, network or AUTH/TLS mismatch. ${effect} Check the envoy-ratelimit logs and the cache.`;
}

/** Container logs are kept this long: enough to investigate an incident, not forever (the add-on's default). */
export const APPLICATION_LOG_RETENTION_DAYS: Readonly<Record<Environment, number>> = { dev: 7, staging: 14, prod: 30 };

export interface ApplicationLogGroupArgs {
    /** Cluster name as text (the add-on names the group after it). */
    clusterName: string;
    environment: Environment;
    chargeback: Chargeback;
}

/**
 * The group the Container Insights add-on ships container logs to, owned by the stack so it exists before
 * the add-on runs (a metric filter needs it) and keeps logs for a bounded time. On a cluster where the
 * add-on already created it, adopt it once: `pulumi import aws:cloudwatch/logGroup:LogGroup <urn name> <group>`.
 */
export function applicationLogGroup(name: string, args: ApplicationLogGroupArgs, opts: pulumi.CustomResourceOptions): aws.cloudwatch.LogGroup {
    return new aws.cloudwatch.LogGroup(name, {
        name: applicationLogGroupName(args.clusterName),
        retentionInDays: APPLICATION_LOG_RETENTION_DAYS[args.environment],
        tags: chargebackTags(args.chargeback),
    }, opts);
}

export interface RateLimitStoreAlarmArgs {
    /** Alarm name prefix, e.g. `ai-prod`. */
    prefix: string;
    /** Cluster name as text (metric namespace). */
    clusterName: string;
    /** The application log group (from `applicationLogGroup`), so the filter waits for it. */
    logGroupName: pulumi.Input<string>;
    /** Envoy Gateway's namespace, where the rate-limit service runs. */
    gatewayNamespace: string;
    failureMode: RateLimitFailureMode;
    /** Topics notified on alarm and on recovery. */
    alarmActions: pulumi.Input<string>[];
    chargeback: Chargeback;
}

/** A metric filter counting store errors and a critical alarm when they persist for two of three minutes. */
export class RateLimitStoreAlarm extends pulumi.ComponentResource {
    readonly alarmName: string;

    constructor(name: string, args: RateLimitStoreAlarmArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-infra:gateway:RateLimitStoreAlarm", name, {}, opts);
        const namespace = storeMetricNamespace(args.clusterName);
        const filter = new aws.cloudwatch.LogMetricFilter(name, {
            logGroupName: args.logGroupName,
            pattern: storeErrorFilterPattern(args.gatewayNamespace),
            // 0 whenever the group receives logs without a match, so a healthy minute reads 0, not missing.
            metricTransformation: { name: STORE_ERROR_METRIC, namespace, value: "1", defaultValue: "0", unit: "Count" },
        }, { parent: this });
        this.alarmName = `${args.prefix}-ratelimit-store-unreachable`;
        new aws.cloudwatch.MetricAlarm(name, {
            name: this.alarmName,
            alarmDescription: storeAlarmDescription(args.failureMode),
            namespace,
            metricName: STORE_ERROR_METRIC,
            statistic: "Sum",
            period: 60,
            evaluationPeriods: 3,
            // A single reconnect during a planned failover is one bad minute; two of three is an outage.
            datapointsToAlarm: 2,
            threshold: 1,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            // No log events at all (no pods logging) is not evidence of a store problem.
            treatMissingData: "notBreaching",
            alarmActions: args.alarmActions,
            okActions: args.alarmActions,
            tags: chargebackTags(args.chargeback),
        }, { parent: this, dependsOn: [filter] });
        this.registerOutputs({ alarmName: this.alarmName });
    }
}
