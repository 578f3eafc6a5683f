/**
 * "Every metric a scaling policy or alarm reads is produced by something the stack installs": a check over
 * rendered resources (the plan's, a test's or a preview's). An alarm or forecast on a series nobody publishes
 * is accepted by AWS and then never fires or never has data; this makes that a visible finding.
 *
 * Producers are derived from what the resources install, each with the namespace, metric names and dimension
 * sets it publishes:
 * - the `amazon-cloudwatch-observability` EKS add-on: Container Insights (`ContainerInsights`) for its cluster,
 *   node_/pod_/namespace_/service_/cluster_/container_ metrics with the dimension sets of the Container
 *   Insights metric reference (GPU series through the add-on's DCGM exporter, same dimensions as node/pod
 *   series: there is no Auto Scaling group dimension);
 * - an ElastiCache replication group: `AWS/ElastiCache` per member cluster (`CacheClusterId` =
 *   `<replicationGroupId>-NNN`, or `-NNNN-NNN` in cluster mode) and per node;
 * - an EKS managed node group: its Auto Scaling group's instances in `AWS/EC2` by `AutoScalingGroupName`
 *   (EC2 publishes those aggregates for every group; the name is only known after deployment, so only the
 *   dimension set is checked);
 * - a CloudWatch Logs metric filter: its `metricTransformation` metric in its namespace, with exactly the
 *   dimensions the transformation names (none when it names none);
 * - a Lambda function: `AWS/Lambda` by `FunctionName` (Lambda publishes invocation metrics for every
 *   function); the model-spend metering Lambda also `AiInfra/ModelSpend` per {Environment, Team}.
 */
import { MODEL_SPEND_METRICS, quotasOf } from "../components/modelSpend";

export interface RenderedResource {
    urn: string;
    type: string;
    inputs: Record<string, unknown>;
}

export interface MetricRead {
    /** The alarm or policy that reads it. */
    urn: string;
    namespace: string;
    metricName: string;
    dimensions: Record<string, string>;
}

export interface MetricGap extends MetricRead {
    reason: string;
}

interface Producer {
    source: string;
    namespace: string;
    metric: (name: string) => boolean;
    /** Allowed dimension-name sets (sorted, joined with ","). */
    dimensionSets: readonly string[];
    /** Fixed dimension values, e.g. the add-on's cluster name. */
    values?: Readonly<Record<string, (v: string) => boolean>>;
}

const set = (...names: string[]) => [...names].sort().join(",");

/** Container Insights on EKS: dimension sets per metric family (CloudWatch Container Insights metric reference). */
const CONTAINER_INSIGHTS: readonly { prefix: RegExp; sets: string[] }[] = [
    { prefix: /^cluster_/, sets: [set("ClusterName")] },
    { prefix: /^node_/, sets: [set("ClusterName"), set("ClusterName", "InstanceId", "NodeName")] },
    { prefix: /^namespace_/, sets: [set("ClusterName"), set("ClusterName", "Namespace")] },
    { prefix: /^service_/, sets: [set("ClusterName"), set("ClusterName", "Namespace", "Service")] },
    { prefix: /^(pod|container)_/, sets: [set("ClusterName"), set("ClusterName", "Namespace"), set("ClusterName", "Namespace", "PodName"), set("ClusterName", "Namespace", "Service"), set("ClusterName", "Namespace", "FullPodName", "PodName")] },
];

/** Predefined Auto Scaling metrics and the series they read. */
const PREDEFINED: Readonly<Record<string, { namespace: string; metricName: string }>> = {
    ASGCPUUtilization: { namespace: "AWS/EC2", metricName: "CPUUtilization" },
    ASGAverageCPUUtilization: { namespace: "AWS/EC2", metricName: "CPUUtilization" },
    ASGTotalCPUUtilization: { namespace: "AWS/EC2", metricName: "CPUUtilization" },
    ASGNetworkIn: { namespace: "AWS/EC2", metricName: "NetworkIn" },
    ASGAverageNetworkIn: { namespace: "AWS/EC2", metricName: "NetworkIn" },
    ASGTotalNetworkIn: { namespace: "AWS/EC2", metricName: "NetworkIn" },
    ASGNetworkOut: { namespace: "AWS/EC2", metricName: "NetworkOut" },
    ASGAverageNetworkOut: { namespace: "AWS/EC2", metricName: "NetworkOut" },
    ASGTotalNetworkOut: { namespace: "AWS/EC2", metricName: "NetworkOut" },
};

function rec(v: unknown): Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : {};
}

function str(v: unknown): string | undefined {
    return typeof v === "string" ? v : undefined;
}

/** Dimensions as an alarm (`{k: v}`) or a policy (`[{name, value}]`) gives them. */
function dimensionsOf(v: unknown): Record<string, string> {
    if (Array.isArray(v)) {
        const out: Record<string, string> = {};
        for (const d of v) {
            const name = str(rec(d).name);
            if (name) out[name] = String(rec(d).value ?? "");
        }
        return out;
    }
    const out: Record<string, string> = {};
    for (const [k, value] of Object.entries(rec(v))) out[k] = String(value);
    return out;
}

export function metricProducers(resources: readonly RenderedResource[]): Producer[] {
    const producers: Producer[] = [];
    for (const r of resources) {
        const i = r.inputs;
        if (r.type === "aws:eks/addon:Addon" && i.addonName === "amazon-cloudwatch-observability") {
            const cluster = str(i.clusterName);
            for (const family of CONTAINER_INSIGHTS) {
                producers.push({
                    source: r.urn, namespace: "ContainerInsights", metric: (n) => family.prefix.test(n), dimensionSets: family.sets,
                    values: cluster === undefined ? undefined : { ClusterName: (v) => v === cluster },
                });
            }
        }
        if (r.type === "aws:elasticache/replicationGroup:ReplicationGroup") {
            const id = str(i.replicationGroupId);
            if (id === undefined) continue;
            const member = new RegExp(`^${id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-(\\d{3}|\\d{4}-\\d{3})$`);
            producers.push({
                source: r.urn, namespace: "AWS/ElastiCache", metric: () => true,
                dimensionSets: [set("CacheClusterId"), set("CacheClusterId", "CacheNodeId")], values: { CacheClusterId: (v) => member.test(v) },
            });
        }
        if (r.type === "aws:cloudwatch/logMetricFilter:LogMetricFilter") {
            const t = rec(i.metricTransformation);
            const namespace = str(t.namespace);
            const name = str(t.name);
            if (namespace !== undefined && name !== undefined) {
                producers.push({ source: r.urn, namespace, metric: (n) => n === name, dimensionSets: [set(...Object.keys(rec(t.dimensions)))] });
            }
        }
        if (r.type === "aws:lambda/function:Function" && str(i.name) !== undefined) {
            const fn = str(i.name)!;
            producers.push({ source: r.urn, namespace: "AWS/Lambda", metric: () => true, dimensionSets: [set("FunctionName")], values: { FunctionName: (v) => v === fn } });
            if (quotasOf(r.type, i)) {
                producers.push({
                    source: r.urn, namespace: MODEL_SPEND_METRICS.namespace, metric: (n) => (MODEL_SPEND_METRICS.metricNames as readonly string[]).includes(n),
                    dimensionSets: [set(...MODEL_SPEND_METRICS.dimensions)],
                });
            }
        }
        if (r.type === "aws:eks/nodeGroup:NodeGroup") {
            producers.push({ source: r.urn, namespace: "AWS/EC2", metric: () => true, dimensionSets: [set("AutoScalingGroupName")] });
        }
    }
    return producers;
}

/** Every metric series an alarm or an Auto Scaling policy reads (metric-math expressions are not series). */
export function metricReads(resources: readonly RenderedResource[]): MetricRead[] {
    const reads: MetricRead[] = [];
    const add = (urn: string, m: Record<string, unknown>, dims: unknown) => {
        const namespace = str(m.namespace), metricName = str(m.metricName);
        if (namespace && metricName) reads.push({ urn, namespace, metricName, dimensions: dimensionsOf(dims) });
    };
    for (const r of resources) {
        const i = r.inputs;
        if (r.type === "aws:cloudwatch/metricAlarm:MetricAlarm") {
            add(r.urn, i, i.dimensions);
            for (const q of Array.isArray(i.metricQueries) ? i.metricQueries : []) {
                const m = rec(rec(q).metric);
                add(r.urn, m, m.dimensions);
            }
        }
        if (r.type === "aws:autoscaling/policy:Policy") {
            const asg = str(i.autoscalingGroupName) ?? "";
            const predefined = (type: unknown) => {
                const p = typeof type === "string" ? PREDEFINED[type] : undefined;
                if (p) reads.push({ urn: r.urn, ...p, dimensions: { AutoScalingGroupName: asg } });
                else if (typeof type === "string") reads.push({ urn: r.urn, namespace: "?", metricName: type, dimensions: {} });
            };
            const spec = rec(rec(i.predictiveScalingConfiguration).metricSpecification);
            predefined(rec(spec.predefinedMetricPairSpecification).predefinedMetricType);
            predefined(rec(spec.predefinedLoadMetricSpecification).predefinedMetricType);
            predefined(rec(spec.predefinedScalingMetricSpecification).predefinedMetricType);
            for (const key of ["customizedLoadMetricSpecification", "customizedScalingMetricSpecification", "customizedCapacityMetricSpecification"]) {
                for (const q of Array.isArray(rec(spec[key]).metricDataQueries) ? rec(spec[key]).metricDataQueries as unknown[] : []) {
                    const m = rec(rec(rec(q).metricStat).metric);
                    add(r.urn, m, m.dimensions);
                }
            }
            const tt = rec(i.targetTrackingConfiguration);
            predefined(rec(tt.predefinedMetricSpecification).predefinedMetricType);
            const custom = rec(tt.customizedMetricSpecification);
            add(r.urn, custom, custom.metricDimensions);
            for (const q of Array.isArray(custom.metrics) ? custom.metrics : []) {
                const m = rec(rec(rec(q).metricStat).metric);
                add(r.urn, m, m.dimensions);
            }
        }
    }
    return reads;
}

/** Reads no installed producer publishes, each with why: no producer of the namespace, metric, dimension set or value. */
export function unproducedMetrics(resources: readonly RenderedResource[]): MetricGap[] {
    const producers = metricProducers(resources);
    const gaps: MetricGap[] = [];
    for (const read of metricReads(resources)) {
        const inNamespace = producers.filter((p) => p.namespace === read.namespace);
        const forMetric = inNamespace.filter((p) => p.metric(read.metricName));
        const dims = set(...Object.keys(read.dimensions));
        const withDims = forMetric.filter((p) => p.dimensionSets.includes(dims));
        const exact = withDims.filter((p) => Object.entries(p.values ?? {}).every(([k, ok]) => read.dimensions[k] === undefined || ok(read.dimensions[k])));
        let reason: string | undefined;
        if (inNamespace.length === 0) reason = `nothing the stack installs publishes to ${read.namespace}`;
        else if (forMetric.length === 0) reason = `no installed producer of ${read.namespace} publishes ${read.metricName}`;
        else if (withDims.length === 0) reason = `${read.namespace}/${read.metricName} is published with dimensions [${[...new Set(forMetric.flatMap((p) => p.dimensionSets))].map((s) => `{${s}}`).join(", ")}], not {${dims}}`;
        else if (exact.length === 0) reason = `no installed producer publishes ${read.namespace}/${read.metricName} for ${JSON.stringify(read.dimensions)}`;
        if (reason) gaps.push({ ...read, reason });
    }
    return gaps;
}
