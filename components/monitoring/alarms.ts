/**
 * The alarm set as plain data: what is watched, at which thresholds, and how missing data is read. The
 * Monitoring component turns each spec into a CloudWatch alarm; tests check the set itself.
 *
 * Every metric here is produced by something the stack installs:
 * - `ContainerInsights/*`: the amazon-cloudwatch-observability add-on with enhanced observability and
 *   accelerated compute metrics on (monitoring.ts sets both). Names and dimension sets are those the agent
 *   declares in aws/amazon-cloudwatch-agent `translator/translate/otel/exporter/awsemf/kubernetes.go`
 *   (pod metrics :89-151, node metrics :153-204, GPU metrics :494-536).
 * - `AWS/ElastiCache/*`: published by ElastiCache for every node of the rate-limit store.
 */

export type Severity = "warning" | "critical";
export type MissingData = "missing" | "notBreaching" | "breaching" | "ignore";

export interface MetricRef {
    namespace: string;
    metricName: string;
    dimensions: Record<string, string>;
    statistic: "Average" | "Maximum" | "Minimum" | "Sum";
}

/** One series of a metric-math alarm: a metric (not returned) or the expression the alarm evaluates. */
export interface MetricQuery {
    id: string;
    metric?: MetricRef;
    /** Metric math, or a Metrics Insights `SELECT` (then no metric inputs are needed). */
    expression?: string;
    label?: string;
    returnData: boolean;
}

export interface AlarmSpec {
    /** Stable name: `<prefix>-<condition>[-<node>]-<severity>`. */
    name: string;
    /** Which condition the alarm belongs to (one per metric; several alarms for per-node metrics). */
    condition: string;
    severity: Severity;
    description: string;
    /** A single metric, or... */
    metric?: MetricRef;
    /** ...metric math / a Metrics Insights query (exactly one query has returnData). */
    queries?: MetricQuery[];
    comparisonOperator: "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold" | "LessThanThreshold";
    threshold: number;
    periodSeconds: number;
    evaluationPeriods: number;
    datapointsToAlarm: number;
    treatMissingData: MissingData;
    /** Why missing data is read this way (kept with the spec so it cannot drift from the choice). */
    missingDataReason: string;
}

export interface AlarmInput {
    /** Name prefix, e.g. `ai-prod`. */
    prefix: string;
    clusterName: string;
    /** ElastiCache node ids of the rate-limit store. */
    cacheNodes: readonly string[];
    /** Namespace of the gateway's Envoy pods. */
    gatewayNamespace: string;
    warningPercent: number;
    criticalPercent: number;
}

/** Name of the Envoy container in Envoy Gateway's proxy pods, the one with a CPU limit (gateway/infra.ts). */
export const ENVOY_CONTAINER = "envoy";
/** GPU fleet utilisation below this for GPU_IDLE_HOURS is a waste warning. */
export const GPU_IDLE_PERCENT = 20;
export const GPU_IDLE_HOURS = 6;

/**
 * Sustained pressure warns, a spike does not: a warning needs 3 of the last 5 five-minute periods (about
 * 15 of 25 minutes); a critical needs 4 of the last 5 minutes, Container Insights' publishing interval.
 */
const WINDOWS: Readonly<Record<Severity, Pick<AlarmSpec, "periodSeconds" | "evaluationPeriods" | "datapointsToAlarm">>> = {
    warning: { periodSeconds: 300, evaluationPeriods: 5, datapointsToAlarm: 3 },
    critical: { periodSeconds: 60, evaluationPeriods: 5, datapointsToAlarm: 4 },
};

interface PercentCondition {
    condition: string;
    what: string;
    metric?: MetricRef;
    queries?: MetricQuery[];
    treatMissingData: MissingData;
    missingDataReason: string;
}

/** The highest CPU use of any Envoy container, as a percentage of its CPU limit: 100 % is a saturated proxy. */
export function gatewayCpuQuery(clusterName: string, namespace: string): string {
    // Metrics Insights over the agent's {ContainerName, PodName, Namespace, ClusterName} set (kubernetes.go:76):
    // PodName is the Deployment's name, which Envoy Gateway derives with a hash, so the query selects by namespace.
    return `SELECT MAX(container_cpu_utilization_over_container_limit) FROM SCHEMA("ContainerInsights", ClusterName, ContainerName, Namespace, PodName) ` +
        `WHERE ClusterName = '${clusterName}' AND Namespace = '${namespace}' AND ContainerName = '${ENVOY_CONTAINER}'`;
}

function percentConditions(input: AlarmInput): PercentCondition[] {
    const ci = { ClusterName: input.clusterName };
    const avg = (metricName: string, dimensions: Record<string, string>, namespace = "ContainerInsights"): MetricRef => ({ namespace, metricName, dimensions, statistic: "Average" });
    return [
        // node_* at {ClusterName}: kubernetes.go:171.
        { condition: "node-cpu", what: "node CPU utilisation", metric: avg("node_cpu_utilization", ci), treatMissingData: "missing",
            missingDataReason: "system nodes always run: a gap means the agent stopped, shown as insufficient data rather than a page" },
        { condition: "node-memory", what: "node memory utilisation", metric: avg("node_memory_utilization", ci), treatMissingData: "missing",
            missingDataReason: "as node-cpu" },
        {
            condition: "gateway-cpu", what: `busiest Envoy container's CPU, share of its limit`,
            queries: [{ id: "envoy", expression: gatewayCpuQuery(input.clusterName, input.gatewayNamespace), label: "max Envoy CPU over limit", returnData: true }],
            treatMissingData: "missing",
            missingDataReason: "no Envoy pod yet (first deploy, no team admitted) is not a saturated gateway; the running-pods widget shows an absent gateway",
        },
        ...input.cacheNodes.flatMap((node): PercentCondition[] => [
            { condition: "cache-cpu", what: `rate-limit store engine CPU (${node})`, metric: avg("EngineCPUUtilization", { CacheClusterId: node }, "AWS/ElastiCache"),
                treatMissingData: "missing",
                missingDataReason: "the nodes report nothing while the store is created or a node replaced (15-25 min): breaching paged on every first deploy" },
            {
                // With maxmemory-policy noeviction a full store rejects writes (OOM) instead of evicting: the
                // counted-for-eviction share is what reaches 100 % then (ElastiCache host and engine metrics).
                condition: "cache-memory", what: `rate-limit store memory counted against maxmemory (${node}); at 100 % every new counter write is rejected`,
                metric: avg("DatabaseMemoryUsageCountedForEvictPercentage", { CacheClusterId: node }, "AWS/ElastiCache"),
                treatMissingData: "missing", missingDataReason: "as cache-cpu",
            },
        ]),
    ];
}

function nodeSuffix(c: PercentCondition): string {
    const node = c.metric?.dimensions.CacheClusterId;
    return node ? `-${node}` : "";
}

/**
 * Pods no node can take, per minute: every pod record counts in exactly one phase metric and, when bound
 * to a node, in `pod_status_scheduled`, so phases minus scheduled leaves the pending pods not yet bound.
 * Pods pulling images are bound, so they never count. Sources (amazon-contributing/opentelemetry-collector-
 * contrib, receiver/awscontainerinsightreceiver): node agents report the pods their kubelet runs
 * (internal/stores/podstore.go addPodStatusMetrics / addPodConditionMetrics, 0/1 per phase and condition in
 * one record); the leader reports every Pending pod from the API server, bound or not
 * (internal/k8sapiserver/k8sapiserver.go getPendingPodStatusMetrics). A bound pending pod reported by both
 * sources nets zero in each record. The {ClusterName} rollup of these metrics: kubernetes.go:91-123.
 */
export function unschedulablePodsQueries(clusterName: string): MetricQuery[] {
    const m = (id: string, metricName: string): MetricQuery => ({
        id, returnData: false, metric: { namespace: "ContainerInsights", metricName, dimensions: { ClusterName: clusterName }, statistic: "Sum" },
    });
    return [
        m("pending", "pod_status_pending"), m("running", "pod_status_running"), m("succeeded", "pod_status_succeeded"),
        m("failed", "pod_status_failed"), m("scheduled", "pod_status_scheduled"),
        // FILL: a minute with no pod record at all is zero pods waiting, not a gap.
        { id: "unschedulable", expression: "FILL(pending + running + succeeded + failed - scheduled, 0)", label: "unschedulable pod-minutes", returnData: true },
    ];
}

export function alarmSpecs(input: AlarmInput): AlarmSpec[] {
    const specs: AlarmSpec[] = [];
    for (const c of percentConditions(input)) {
        for (const severity of ["warning", "critical"] as const) {
            const threshold = severity === "warning" ? input.warningPercent : input.criticalPercent;
            specs.push({
                name: `${input.prefix}-${c.condition}${nodeSuffix(c)}-${severity}`,
                condition: c.condition,
                severity,
                description: `${c.what} at or above ${threshold} % (${severity})`,
                ...(c.metric ? { metric: c.metric } : { queries: c.queries }),
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                threshold,
                ...WINDOWS[severity],
                treatMissingData: c.treatMissingData,
                missingDataReason: c.missingDataReason,
            });
        }
    }
    // GPU saturation: work waiting for GPU capacity that is not coming (group at max, spot unavailable, a
    // budget hold). GPU memory is no signal (vLLM reserves ~90 % of it by design) and busy GPUs are the goal.
    // Period 5 min, sum of per-minute counts: >= 5 is on average one pod waiting all the time; three such
    // periods in a row is 15 minutes, longer than a scale-up from zero (node boot; image pulls do not count).
    specs.push({
        name: `${input.prefix}-capacity-exhausted-critical`, condition: "capacity-exhausted", severity: "critical",
        description: "pods no node can take for 15 minutes: a node group is at its maximum, capacity is unavailable, or a budget hold is on",
        queries: unschedulablePodsQueries(input.clusterName),
        comparisonOperator: "GreaterThanOrEqualToThreshold", threshold: 5, periodSeconds: 300, evaluationPeriods: 3, datapointsToAlarm: 3,
        treatMissingData: "notBreaching",
        missingDataReason: "FILL already turns a minute without pod records into 0; a whole missing period means no agent reported, which the node alarms cover",
    });
    // Waste: GPUs that are paid for and mostly idle for hours (kubernetes.go:524-528, {ClusterName}).
    specs.push({
        name: `${input.prefix}-gpu-idle-warning`, condition: "gpu-idle", severity: "warning",
        description: `cluster GPU utilisation below ${GPU_IDLE_PERCENT} % for ${GPU_IDLE_HOURS} hours: GPU nodes are paid for and idle (lower minSize or the schedules)`,
        metric: { namespace: "ContainerInsights", metricName: "node_gpu_utilization", dimensions: { ClusterName: input.clusterName }, statistic: "Average" },
        comparisonOperator: "LessThanThreshold", threshold: GPU_IDLE_PERCENT, periodSeconds: 3600, evaluationPeriods: GPU_IDLE_HOURS, datapointsToAlarm: GPU_IDLE_HOURS,
        treatMissingData: "notBreaching",
        missingDataReason: "no GPU node (groups scaled to zero) publishes nothing and costs nothing: not waste",
    });
    return specs;
}

/** A critical condition: one alarm, or several (one per cache node) folded into a composite. */
export interface CriticalCondition {
    condition: string;
    /** The alarm the page rule refers to: the member itself, or the condition's composite. */
    alarmName: string;
    /** Member alarms; more than one means `alarmName` is a composite to create. */
    members: string[];
}

export function criticalConditions(prefix: string, specs: readonly AlarmSpec[]): CriticalCondition[] {
    const byCondition = new Map<string, string[]>();
    for (const s of specs.filter((x) => x.severity === "critical")) byCondition.set(s.condition, [...(byCondition.get(s.condition) ?? []), s.name]);
    return [...byCondition].map(([condition, members]) => ({
        condition,
        members,
        alarmName: members.length === 1 ? members[0] : `${prefix}-${condition}-any-critical`,
    }));
}

export const anyOfRule = (names: readonly string[]) => names.map((n) => `ALARM("${n}")`).join(" OR ");

/**
 * The page: critical conditions co-occurring. A condition spanning several alarms (every cache node) is
 * its own composite, so it counts once and the rule stays far below CloudWatch's length limit; the page
 * fires when any two conditions are in ALARM at once, so one noisy metric wakes nobody.
 */
export function pageRule(conditions: readonly CriticalCondition[]): string {
    const pairs: string[] = [];
    for (let i = 0; i < conditions.length; i++) {
        for (let j = i + 1; j < conditions.length; j++) pairs.push(`(ALARM("${conditions[i].alarmName}") AND ALARM("${conditions[j].alarmName}"))`);
    }
    return pairs.join(" OR ");
}

/** CloudWatch's limit on a composite alarm rule. */
export const MAX_RULE_LENGTH = 10240;
