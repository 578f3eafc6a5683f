/**
 * The alarm set as plain data: what is watched, at which thresholds, and how missing data is read. The
 * Monitoring component turns each spec into a CloudWatch alarm; tests check the set itself.
 */

export type Severity = "warning" | "critical";
export type MissingData = "missing" | "notBreaching" | "breaching" | "ignore";

export interface AlarmSpec {
    /** Stable name: `<prefix>-<condition>[-<node>]-<severity>`. */
    name: string;
    /** Which condition the alarm belongs to (one per metric; several alarms for per-node metrics). */
    condition: string;
    severity: Severity;
    description: string;
    namespace: string;
    metricName: string;
    dimensions: Record<string, string>;
    statistic: "Average" | "Maximum" | "Sum";
    comparisonOperator: "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold";
    threshold: number;
    periodSeconds: number;
    evaluationPeriods: number;
    datapointsToAlarm: number;
    treatMissingData: MissingData;
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

/**
 * Sustained pressure warns, a spike does not: a warning needs 3 of the last 5 five-minute periods (about
 * 15 of 25 minutes); a critical needs 4 of the last 5 minutes, Container Insights' publishing interval.
 */
const WINDOWS: Readonly<Record<Severity, Pick<AlarmSpec, "periodSeconds" | "evaluationPeriods" | "datapointsToAlarm">>> = {
    warning: { periodSeconds: 300, evaluationPeriods: 5, datapointsToAlarm: 3 },
    critical: { periodSeconds: 60, evaluationPeriods: 5, datapointsToAlarm: 4 },
};

interface PercentMetric {
    condition: string;
    what: string;
    namespace: string;
    metricName: string;
    dimensions: Record<string, string>;
    treatMissingData: MissingData;
}

function percentMetrics(input: AlarmInput): PercentMetric[] {
    const ci = { ClusterName: input.clusterName };
    return [
        // GPU groups scale to zero: no GPU node means no data, which is not a problem.
        { condition: "gpu-utilization", what: "cluster GPU utilisation", namespace: "ContainerInsights", metricName: "node_gpu_utilization", dimensions: ci, treatMissingData: "notBreaching" },
        { condition: "gpu-memory", what: "cluster GPU memory utilisation", namespace: "ContainerInsights", metricName: "node_gpu_memory_utilization", dimensions: ci, treatMissingData: "notBreaching" },
        // System nodes always run; a gap means the agent stopped, which the dashboard shows as insufficient data.
        { condition: "node-cpu", what: "node CPU utilisation", namespace: "ContainerInsights", metricName: "node_cpu_utilization", dimensions: ci, treatMissingData: "missing" },
        { condition: "node-memory", what: "node memory utilisation", namespace: "ContainerInsights", metricName: "node_memory_utilization", dimensions: ci, treatMissingData: "missing" },
        { condition: "gateway-cpu", what: "gateway (Envoy) pod CPU utilisation", namespace: "ContainerInsights", metricName: "pod_cpu_utilization", dimensions: { ...ci, Namespace: input.gatewayNamespace }, treatMissingData: "missing" },
        // Quotas depend on the store: one that stops reporting is treated as failing.
        ...input.cacheNodes.flatMap((node): PercentMetric[] => [
            { condition: "cache-cpu", what: `rate-limit store engine CPU (${node})`, namespace: "AWS/ElastiCache", metricName: "EngineCPUUtilization", dimensions: { CacheClusterId: node }, treatMissingData: "breaching" },
            { condition: "cache-memory", what: `rate-limit store memory (${node})`, namespace: "AWS/ElastiCache", metricName: "DatabaseMemoryUsagePercentage", dimensions: { CacheClusterId: node }, treatMissingData: "breaching" },
        ]),
    ];
}

function nodeSuffix(m: { dimensions: Record<string, string> }): string {
    return m.dimensions.CacheClusterId ? `-${m.dimensions.CacheClusterId}` : "";
}

export function alarmSpecs(input: AlarmInput): AlarmSpec[] {
    const specs: AlarmSpec[] = [];
    for (const m of percentMetrics(input)) {
        for (const severity of ["warning", "critical"] as const) {
            const threshold = severity === "warning" ? input.warningPercent : input.criticalPercent;
            specs.push({
                name: `${input.prefix}-${m.condition}${nodeSuffix(m)}-${severity}`,
                condition: m.condition,
                severity,
                description: `${m.what} at or above ${threshold} % (${severity})`,
                namespace: m.namespace,
                metricName: m.metricName,
                dimensions: m.dimensions,
                statistic: "Average",
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                threshold,
                ...WINDOWS[severity],
                treatMissingData: m.treatMissingData,
            });
        }
    }
    // The store never evicts (noeviction): any eviction means rate-limit counters were lost.
    for (const node of input.cacheNodes) {
        specs.push({
            name: `${input.prefix}-cache-evictions-${node}-critical`, condition: "cache-evictions", severity: "critical",
            description: `rate-limit keys evicted on ${node}: team quotas were reset`,
            namespace: "AWS/ElastiCache", metricName: "Evictions", dimensions: { CacheClusterId: node }, statistic: "Sum",
            comparisonOperator: "GreaterThanThreshold", threshold: 0, periodSeconds: 300, evaluationPeriods: 1, datapointsToAlarm: 1, treatMissingData: "notBreaching",
        });
    }
    // Capacity exhausted: EKS does not publish a node group's desired and maximum sizes, and Pulumi cannot
    // switch on group metrics for an Auto Scaling group EKS owns; pods left pending for 15 minutes are the
    // symptom that matters (max reached, or spot capacity unavailable).
    specs.push({
        name: `${input.prefix}-capacity-exhausted-critical`, condition: "capacity-exhausted", severity: "critical",
        description: "pods pending for 15 minutes: a node group is at its maximum or capacity is unavailable",
        namespace: "ContainerInsights", metricName: "pod_status_pending", dimensions: { ClusterName: input.clusterName }, statistic: "Maximum",
        comparisonOperator: "GreaterThanOrEqualToThreshold", threshold: 1, periodSeconds: 300, evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: "notBreaching",
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
