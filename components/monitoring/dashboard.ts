/**
 * The CloudWatch dashboard body: three rows, infrastructure, application and business, built from plain
 * inputs so its JSON is tested, not eyeballed.
 */

import { GPU_IDLE_PERCENT, gatewayCpuQuery, unschedulablePodsQueries } from "./alarms";

export interface DashboardInput {
    region: string;
    environment: string;
    clusterName: string;
    /** ElastiCache node ids of the rate-limit store. */
    cacheNodes: readonly string[];
    gatewayNamespace: string;
    teams: readonly { id: string; monthlyBudgetUsd: number; modelBudgetUsd?: number; gateway?: unknown }[];
    environmentBudgetUsd: number;
    warningPercent: number;
    criticalPercent: number;
}

type Widget = Record<string, unknown>;
const WIDTH = 24;

function text(y: number, markdown: string, height = 1): Widget {
    return { type: "text", x: 0, y, width: WIDTH, height, properties: { markdown } };
}

function metrics(x: number, y: number, width: number, title: string, region: string, series: unknown[][], opts: Record<string, unknown> = {}): Widget {
    return { type: "metric", x, y, width, height: 6, properties: { title, region, view: "timeSeries", stat: "Average", period: 300, metrics: series, ...opts } };
}

function thresholds(input: DashboardInput): Record<string, unknown> {
    return {
        annotations: { horizontal: [{ label: "warning", value: input.warningPercent, color: "#ff7f0e" }, { label: "critical", value: input.criticalPercent, color: "#d62728" }] },
        yAxis: { left: { min: 0, max: 100 } },
    };
}

export function dashboardBody(input: DashboardInput): { widgets: Widget[] } {
    const { region, clusterName: cluster } = input;
    const perNode = (metric: string) => [[{
        expression: `SEARCH('{ContainerInsights,ClusterName,InstanceId,NodeName} MetricName="${metric}" ClusterName="${cluster}"', 'Average', 300)`,
        id: metric.replace(/[^a-z0-9]/gi, "").toLowerCase(), label: "",
    }]];
    const cache = (metric: string) => input.cacheNodes.map((node) => ["AWS/ElastiCache", metric, "CacheClusterId", node]);
    const widgets: Widget[] = [
        text(0, `## Infrastructure · ${input.environment} · ${cluster}\nGPU, CPU and memory of the nodes (Container Insights), and the gateway's rate-limit store.`),
        // Signals, not alarms: busy GPUs are the goal and vLLM reserves ~90 % of GPU memory by design.
        metrics(0, 1, 8, "GPU utilisation and memory (cluster; idle below the line)", region, [
            ["ContainerInsights", "node_gpu_utilization", "ClusterName", cluster],
            ["ContainerInsights", "node_gpu_memory_utilization", "ClusterName", cluster],
        ], { annotations: { horizontal: [{ label: "idle (waste warning)", value: GPU_IDLE_PERCENT, color: "#ff7f0e" }] }, yAxis: { left: { min: 0, max: 100 } } }),
        metrics(8, 1, 8, "GPU utilisation per node", region, perNode("node_gpu_utilization"), thresholds(input)),
        metrics(16, 1, 8, "Node CPU and memory", region, [
            ["ContainerInsights", "node_cpu_utilization", "ClusterName", cluster],
            ["ContainerInsights", "node_memory_utilization", "ClusterName", cluster],
        ], thresholds(input)),
        metrics(0, 7, 12, "Rate-limit store: engine CPU and memory against maxmemory (100 % = writes rejected)", region,
            [...cache("EngineCPUUtilization"), ...cache("DatabaseMemoryUsageCountedForEvictPercentage")], thresholds(input)),
        metrics(12, 7, 12, "Rate-limit store: connections", region, cache("CurrConnections"), { stat: "Maximum" }),
        text(13, "## Application\nThe gateway's Envoy pods and scheduling. Request, error, latency and token-per-team series are Prometheus metrics on the Envoy pods (`/stats/prometheus`, port 19001) and the AI Gateway (GenAI token usage); CloudWatch receives them only once a Prometheus pipeline is added."),
        metrics(0, 14, 8, "Busiest Envoy container CPU, % of its limit", region, [[{ expression: gatewayCpuQuery(cluster, input.gatewayNamespace), id: "envoy", label: "max" }]], thresholds(input)),
        metrics(8, 14, 8, "Gateway running pods", region, [["ContainerInsights", "namespace_number_of_running_pods", "ClusterName", cluster, "Namespace", input.gatewayNamespace]]),
        metrics(16, 14, 8, "Pods no node can take (image pulls excluded)", region, unschedulablePodsQueries(cluster).map((q) => q.metric
            ? [q.metric.namespace, q.metric.metricName, "ClusterName", cluster, { id: q.id, visible: false, stat: q.metric.statistic, period: 60 }]
            : [{ expression: q.expression, id: q.id, label: q.label }]), { period: 60 }),
        text(20, "## Business\nMonth-to-date spend against the budget. Billing metrics live in us-east-1 and are account-wide; per-team actual spend is in the team budgets below (Budgets filter on the `team` cost allocation tag)."),
        metrics(0, 21, 12, "Estimated charges, month to date (USD)", "us-east-1", [["AWS/Billing", "EstimatedCharges", "Currency", "USD"]], {
            stat: "Maximum", period: 21600,
            annotations: { horizontal: [{ label: `${input.environment} budget`, value: input.environmentBudgetUsd }] },
        }),
        {
            type: "text", x: 12, y: 21, width: 12, height: 6,
            properties: {
                markdown: ["| team | monthly budget (USD) | budget |", "| --- | ---: | --- |",
                    ...input.teams.map((t) => `| ${t.id} | ${t.monthlyBudgetUsd.toLocaleString("en-US")} | [${input.environment}-${t.id}](https://console.aws.amazon.com/costmanagement/home#/budgets) |`)].join("\n"),
            },
        },
    ];
    widgets.push(...modelSpendRow(input, 27));
    return { widgets };
}

/**
 * One widget per team the gateway admits: month-to-date model-API spend (the metering Lambda's
 * AiInfra/ModelSpend) against the team's model budget at the alert thresholds.
 */
function modelSpendRow(input: DashboardInput, y: number): Widget[] {
    const metered = input.teams.filter((t) => t.gateway);
    if (metered.length === 0) return [];
    const rows: Widget[] = [text(y, "## Model spend\nMonth-to-date model-API spend per team (Bedrock, OpenAI through the gateway), priced from `components/modelPrices.ts`, against the team's model budget; tokens of unpriced models are shown beside.")];
    metered.forEach((t, i) => {
        const budget = t.modelBudgetUsd ?? t.monthlyBudgetUsd;
        const dims = ["Environment", input.environment, "Team", t.id];
        rows.push(metrics((i % 3) * 8, y + 1 + Math.floor(i / 3) * 6, 8, `${t.id}: model spend this month (USD)`, input.region, [
            ["AiInfra/ModelSpend", "MonthToDateUsd", ...dims, { stat: "Maximum" }],
            ["AiInfra/ModelSpend", "UnpricedTokens", ...dims, { stat: "Maximum", yAxis: "right" }],
        ], {
            period: 3600,
            annotations: { horizontal: [
                { label: `warning ${input.warningPercent} %`, value: budget * input.warningPercent / 100, color: "#ff7f0e" },
                { label: `critical ${input.criticalPercent} %`, value: budget * input.criticalPercent / 100, color: "#d62728" },
                { label: "model budget", value: budget },
            ] },
        }));
    });
    return rows;
}
