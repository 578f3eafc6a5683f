import { strict as assert } from "assert";
import { parseStackConfig } from "../../components/config";
import { renderEnvoyProxy } from "../../components/gateway/infra";
import { memberClusterIds } from "../../components/cache";
import {
    AlarmSpec, alarmSpecs, criticalConditions, ENVOY_CONTAINER, MAX_RULE_LENGTH, MetricRef, pageRule, unschedulablePodsQueries,
} from "../../components/monitoring/alarms";
import { Monitoring, OBSERVABILITY_CONFIGURATION } from "../../components/monitoring/monitoring";
import { baseConfig, declare, ofType, one } from "../helpers";

const input = { prefix: "ai-dev", clusterName: "ai-dev", cacheNodes: ["rl-001", "rl-002"], gatewayNamespace: "envoy-gateway-system", warningPercent: 70, criticalPercent: 90 };
const get = (specs: AlarmSpec[], name: string) => {
    const s = specs.find((x) => x.name === name);
    if (!s) throw new Error(`no alarm ${name}: ${specs.map((x) => x.name).join(", ")}`);
    return s;
};

/**
 * What the stack's producers publish, as dimension sets per metric: the CloudWatch agent's EMF declarations
 * with enhanced observability and accelerated compute on (aws/amazon-cloudwatch-agent
 * translator/translate/otel/exporter/awsemf/kubernetes.go), and ElastiCache's per-node metrics.
 */
const PRODUCED: Record<string, string[][]> = {
    "ContainerInsights/node_cpu_utilization": [["ClusterName"], ["ClusterName", "InstanceId", "NodeName"]],
    "ContainerInsights/node_memory_utilization": [["ClusterName"], ["ClusterName", "InstanceId", "NodeName"]],
    "ContainerInsights/node_gpu_utilization": [["ClusterName"], ["ClusterName", "InstanceId", "NodeName"]],
    ...Object.fromEntries(["pending", "running", "succeeded", "failed", "scheduled"].map((p) => [`ContainerInsights/pod_status_${p}`, [["ClusterName"], ["ClusterName", "Namespace", "PodName"]]])),
    "AWS/ElastiCache/EngineCPUUtilization": [["CacheClusterId"]],
    "AWS/ElastiCache/DatabaseMemoryUsageCountedForEvictPercentage": [["CacheClusterId"]],
};

function metricsOf(s: AlarmSpec): MetricRef[] {
    return [...(s.metric ? [s.metric] : []), ...(s.queries ?? []).flatMap((q) => (q.metric ? [q.metric] : []))];
}

describe("alarms", () => {
    it("reads only metrics the stack's agent or ElastiCache publish, with a dimension set they publish", () => {
        for (const s of alarmSpecs(input)) {
            for (const m of metricsOf(s)) {
                const sets = PRODUCED[`${m.namespace}/${m.metricName}`];
                assert.ok(sets, `${s.name} reads ${m.namespace}/${m.metricName}, which nothing installed publishes`);
                assert.ok(sets.some((d) => JSON.stringify(d) === JSON.stringify(Object.keys(m.dimensions).sort())), `${s.name}: dimensions ${Object.keys(m.dimensions)}`);
            }
        }
    });

    it("does not alarm on GPU memory or GPU busyness, and warns on idle GPUs instead", () => {
        const specs = alarmSpecs(input);
        assert.ok(!specs.some((s) => metricsOf(s).some((m) => m.metricName === "node_gpu_memory_utilization")), "vLLM reserves ~90 % of GPU memory by design");
        const gpu = specs.filter((s) => metricsOf(s).some((m) => m.metricName === "node_gpu_utilization"));
        assert.deepEqual(gpu.map((s) => s.name), ["ai-dev-gpu-idle-warning"], "utilisation is a waste signal only");
        const idle = gpu[0];
        assert.deepEqual([idle.comparisonOperator, idle.threshold, idle.periodSeconds * idle.datapointsToAlarm, idle.evaluationPeriods, idle.treatMissingData],
            ["LessThanThreshold", 20, 6 * 3600, 6, "notBreaching"]);
        assert.ok(!pageRule(criticalConditions("ai-dev", specs)).includes("gpu"), "GPUs never page by themselves");
    });

    it("alarms on the gateway's busiest Envoy container against its CPU limit, which the EnvoyProxy sets", () => {
        const specs = alarmSpecs(input);
        const crit = get(specs, "ai-dev-gateway-cpu-critical");
        assert.equal(crit.queries!.length, 1);
        const q = crit.queries![0];
        assert.equal(q.returnData, true);
        assert.match(q.expression!, /^SELECT MAX\(container_cpu_utilization_over_container_limit\) FROM SCHEMA\("ContainerInsights", ClusterName, ContainerName, Namespace, PodName\)/);
        assert.match(q.expression!, /WHERE ClusterName = 'ai-dev' AND Namespace = 'envoy-gateway-system' AND ContainerName = 'envoy'$/);
        assert.deepEqual([crit.threshold, get(specs, "ai-dev-gateway-cpu-warning").threshold], [90, 70]);
        // Without a CPU limit the agent publishes no over-limit metric (podstore.go decorateCPU): the alarm would be dead.
        const gw = parseStackConfig(baseConfig()).gateway;
        const proxy = renderEnvoyProxy("p", { namespace: "n", labels: {} }, "g", gw) as unknown as { spec: { provider: { kubernetes: { envoyDeployment: { container: { resources: { limits: Record<string, string>; requests: Record<string, string> } } } } } } };
        const resources = proxy.spec.provider.kubernetes.envoyDeployment.container.resources;
        assert.ok(resources.limits.cpu, `the ${ENVOY_CONTAINER} container needs a CPU limit`);
        assert.ok(parseFloat(resources.limits.cpu) > parseFloat(resources.requests.cpu) / 1000, "limit above the request the HPA scales on");
    });

    it("alarms on a noeviction store filling up, not on evictions that cannot happen", () => {
        const specs = alarmSpecs(input);
        assert.ok(!specs.some((s) => metricsOf(s).some((m) => m.metricName === "Evictions")));
        const mem = get(specs, "ai-dev-cache-memory-rl-002-critical");
        assert.deepEqual([mem.metric!.metricName, mem.metric!.dimensions, mem.threshold], ["DatabaseMemoryUsageCountedForEvictPercentage", { CacheClusterId: "rl-002" }, 90]);
    });

    it("decides missing data per alarm, with a reason, and never pages on resources that do not exist yet", () => {
        const specs = alarmSpecs(input);
        for (const s of specs) assert.ok(s.missingDataReason.length > 10, `${s.name} has no reason for ${s.treatMissingData}`);
        assert.ok(!specs.some((s) => s.treatMissingData === "breaching"), "a store being created reports nothing: breaching paged on the first deploy");
        assert.equal(get(specs, "ai-dev-cache-cpu-rl-001-critical").treatMissingData, "missing");
        assert.equal(get(specs, "ai-dev-node-cpu-warning").treatMissingData, "missing");
        assert.equal(get(specs, "ai-dev-capacity-exhausted-critical").treatMissingData, "notBreaching");
        assert.deepEqual([get(specs, "ai-dev-node-cpu-warning").periodSeconds, get(specs, "ai-dev-node-cpu-warning").evaluationPeriods, get(specs, "ai-dev-node-cpu-warning").datapointsToAlarm], [300, 5, 3]);
        assert.deepEqual([get(specs, "ai-dev-node-cpu-critical").periodSeconds, get(specs, "ai-dev-node-cpu-critical").evaluationPeriods, get(specs, "ai-dev-node-cpu-critical").datapointsToAlarm], [60, 5, 4]);
    });

    describe("capacity exhausted", () => {
        /** One minute of pod records as the agents emit them: each record carries its phase (0/1 each) and PodScheduled. */
        type Rec = { phase: "Pending" | "Running" | "Succeeded" | "Failed"; scheduled: 0 | 1 };
        const minute = (records: Rec[]): number => {
            const q = unschedulablePodsQueries("c");
            const sums: Record<string, number> = {};
            for (const x of q.filter((y) => y.metric)) {
                const name = x.metric!.metricName.replace("pod_status_", "");
                sums[x.id] = records.reduce((n, r) => n + (name === "scheduled" ? r.scheduled : r.phase.toLowerCase() === name ? 1 : 0), 0);
            }
            const expr = q.find((y) => y.returnData)!.expression!.replace(/^FILL\((.*), 0\)$/, "$1");
            return Function(...Object.keys(sums), `return ${expr};`)(...Object.values(sums)) as number;
        };
        const running: Rec = { phase: "Running", scheduled: 1 };
        // A bound pod pulling its image: its node's agent and the API-server leader both report it.
        const pulling: Rec[] = [{ phase: "Pending", scheduled: 1 }, { phase: "Pending", scheduled: 1 }];
        const unschedulable: Rec = { phase: "Pending", scheduled: 0 };

        it("counts pods no node can take, and not pods pulling images or running", () => {
            assert.equal(minute([running, running, ...pulling, ...pulling]), 0, "image pulls are not capacity exhaustion");
            assert.equal(minute([running, ...pulling, unschedulable, unschedulable]), 2);
            assert.equal(minute([{ phase: "Succeeded", scheduled: 1 }, { phase: "Failed", scheduled: 1 }]), 0);
        });

        it("fires after 15 minutes of at least one pod waiting on average, not on a scale-up from zero", () => {
            const s = get(alarmSpecs(input), "ai-dev-capacity-exhausted-critical");
            assert.deepEqual([s.periodSeconds, s.evaluationPeriods, s.datapointsToAlarm, s.threshold, s.comparisonOperator], [300, 3, 3, 5, "GreaterThanOrEqualToThreshold"]);
            assert.equal(s.queries!.filter((q) => q.returnData).length, 1);
            for (const q of s.queries!.filter((x) => x.metric)) assert.deepEqual([q.metric!.statistic, q.metric!.dimensions], ["Sum", { ClusterName: "ai-dev" }]);
        });
    });

    it("pages only when two critical conditions co-occur, a multi-node condition counting once", () => {
        const specs = alarmSpecs(input);
        const conditions = criticalConditions("ai-dev", specs);
        assert.deepEqual(conditions.map((c) => c.condition), ["node-cpu", "node-memory", "gateway-cpu", "cache-cpu", "cache-memory", "capacity-exhausted"]);
        const rule = pageRule(conditions);
        assert.deepEqual(conditions.flatMap((c) => c.members).sort(), specs.filter((x) => x.severity === "critical").map((s) => s.name).sort());
        assert.ok(!specs.filter((x) => x.severity === "warning").some((s) => rule.includes(`"${s.name}"`)));
        assert.deepEqual(conditions.find((c) => c.condition === "cache-cpu"), { condition: "cache-cpu", members: ["ai-dev-cache-cpu-rl-001-critical", "ai-dev-cache-cpu-rl-002-critical"], alarmName: "ai-dev-cache-cpu-any-critical" });
        assert.ok(!rule.includes("rl-001"));
        const big = pageRule(criticalConditions("ai-production-long", alarmSpecs({ ...input, prefix: "ai-production-long", cacheNodes: memberClusterIds("a-very-long-replication-group-id-here", 3, 2) })));
        assert.ok(big.length < MAX_RULE_LENGTH, `${big.length} chars`);
    });

    it("renders single-metric and query alarms as CloudWatch expects, and turns on the agent features they read", async () => {
        const resources = await declare(() => new Monitoring("mon", {
            environment: "dev", region: "us-east-1", clusterName: "ai-dev", clusterNameText: "ai-dev", cacheNodes: ["rl-001"], gatewayNamespace: "envoy-gateway-system",
            alerts: { emails: [], warningPercent: 70, criticalPercent: 90 }, teams: [], environmentBudgetUsd: 1000,
            chargeback: { team: "platform", costCenter: "CC-P", environment: "dev", owner: "p@example.com" }, namePrefix: "ai-dev",
        }));
        const alarm = (n: string) => ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm").find((a) => a.inputs.name === n)!.inputs as Record<string, any>;
        const cpu = alarm("ai-dev-node-cpu-critical");
        assert.deepEqual([cpu.namespace, cpu.metricName, cpu.statistic, cpu.period, cpu.metricQueries], ["ContainerInsights", "node_cpu_utilization", "Average", 60, undefined]);
        const gw = alarm("ai-dev-gateway-cpu-warning");
        assert.equal(gw.metricName, undefined);
        assert.deepEqual(gw.metricQueries.map((q: any) => [q.id, q.returnData, q.period, q.expression.startsWith("SELECT MAX(")]), [["envoy", true, 300, true]]);
        const cap = alarm("ai-dev-capacity-exhausted-critical");
        assert.deepEqual(cap.metricQueries.map((q: any) => [q.id, q.returnData, q.metric?.metricName ?? q.expression, q.metric?.period ?? q.period]), [
            ["pending", false, "pod_status_pending", 300], ["running", false, "pod_status_running", 300], ["succeeded", false, "pod_status_succeeded", 300],
            ["failed", false, "pod_status_failed", 300], ["scheduled", false, "pod_status_scheduled", 300],
            ["unschedulable", true, "FILL(pending + running + succeeded + failed - scheduled, 0)", undefined],
        ]);
        const addon = one(resources, "aws:eks/addon:Addon").inputs;
        assert.deepEqual(JSON.parse(String(addon.configurationValues)), OBSERVABILITY_CONFIGURATION);
        assert.deepEqual(OBSERVABILITY_CONFIGURATION.agent.config.logs.metrics_collected.kubernetes, { enhanced_container_insights: true, accelerated_compute_metrics: true });
    });
});
