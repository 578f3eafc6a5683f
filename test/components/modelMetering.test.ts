import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import * as yaml from "js-yaml";
import { ConfigError, parseStackConfig } from "../../components/config";
import { aiGatewayValues, TEAM_METRIC_LABEL } from "../../components/gateway/install";
import { TEAM_HEADER } from "../../components/gateway/constants";
import { lambdaFiles } from "../../components/lambdaCode";
import { METERING_QUOTAS_VARIABLE, teamModelQuotas } from "../../components/modelSpend";
import { dashboardBody } from "../../components/monitoring/dashboard";
import { AIGW_METRICS_PORT_NAME, collectorConfig, METERING_SOURCES, ModelMetering } from "../../components/monitoring/modelMetering";
import { baseConfig, declare, ofType, one } from "../helpers";

const quotas = teamModelQuotas(
    [{ id: "search", monthlyBudgetUsd: 7000, modelBudgetUsd: 2000, gateway: { tokensPerMinute: 1000 } }, { id: "web", monthlyBudgetUsd: 100 }],
    [{ provider: "openai", models: ["gpt-4o-mini"] }, { provider: "in-cluster", models: ["llama"] }],
);

describe("model-spend metering", () => {
    it("labels the AI Gateway's token metrics with the verified team header", () => {
        const controller = (aiGatewayValues() as { controller: Record<string, unknown> }).controller;
        assert.equal(controller.metricsRequestHeaderAttributes, `${TEAM_HEADER}:${TEAM_METRIC_LABEL}`);
    });

    it("meters admitted teams only, against their model budget (default: the whole budget)", () => {
        assert.deepEqual(quotas, [{ team: "search", tokensPerMinute: 1000, modelBudgetUsd: 2000, models: [{ provider: "openai", model: "gpt-4o-mini" }] }]);
        assert.equal(teamModelQuotas([{ id: "a", monthlyBudgetUsd: 50, gateway: { tokensPerMinute: 1 } }], [])[0].modelBudgetUsd, 50);
        assert.equal(parseStackConfig(baseConfig({ "ai-infra:nodeGroups": undefined, "ai-infra:teams": { a: { costCenter: "C", owner: "a@example.com", monthlyBudgetUsd: 100, modelBudgetUsd: 40 } } })).teams[0].modelBudgetUsd, 40);
        assert.throws(() => parseStackConfig(baseConfig({ "ai-infra:nodeGroups": undefined, "ai-infra:teams": { a: { costCenter: "C", owner: "a@example.com", monthlyBudgetUsd: 100, modelBudgetUsd: 400 } } })),
            (e: unknown) => e instanceof ConfigError && /ai-infra:teams\.a\.modelBudgetUsd: 400 is not allowed: must be a number of USD from 0 to monthlyBudgetUsd \(100\)/.test(e.message));
    });

    it("scrapes only the AI Gateway sidecars' token histogram and writes it per team, provider, model and token type", () => {
        const c = collectorConfig({ region: "us-east-1", namespace: "envoy-gateway-system", logGroupName: "/lg" }) as any;
        const scrape = c.receivers.prometheus.config.scrape_configs[0];
        assert.deepEqual(scrape.kubernetes_sd_configs, [{ role: "pod", namespaces: { names: ["envoy-gateway-system"] } }]);
        assert.deepEqual(scrape.relabel_configs, [{ source_labels: ["__meta_kubernetes_pod_container_port_name"], regex: AIGW_METRICS_PORT_NAME, action: "keep" }]);
        assert.equal(scrape.metrics_path, "/metrics");
        assert.deepEqual(c.exporters.awsemf.metric_declarations, [{ dimensions: [["team", "gen_ai_provider_name", "gen_ai_request_model", "gen_ai_token_type"]], metric_name_selectors: ["^gen_ai_client_token_usage$"] }]);
        assert.equal(c.exporters.awsemf.namespace, "AiInfra/Gateway");
        assert.deepEqual(c.service.pipelines.metrics, { receivers: ["prometheus"], processors: ["filter/tokens", "cumulativetodelta", "batch"], exporters: ["awsemf"] });
        // `auto` first points (no restart double count), and dead pods' series forgotten.
        assert.deepEqual(c.processors.cumulativetodelta, { include: { match_type: "strict", metrics: ["gen_ai_client_token_usage"] }, max_staleness: "1h" });
    });

    it("deploys the collector, the hourly pricing Lambda and per-team budget alarms", async () => {
        const resources = await declare(() => {
            const provider = new k8s.Provider("k", { kubeconfig: "{}" });
            new ModelMetering("mm", {
                prefix: "ai-prod", environment: "prod", region: "us-east-1", clusterName: "ai-prod", namespace: "envoy-gateway-system", provider,
                teams: quotas, inClusterModels: ["llama"], warningPercent: 70, criticalPercent: 90, warningTopicArn: "arn:warning", criticalTopicArn: "arn:critical",
                tags: { team: "platform" }, labels: { "ai-infra/team": "platform" },
            });
        });
        const fn = one(resources, "aws:lambda/function:Function").inputs as Record<string, any>;
        assert.deepEqual([fn.name, fn.runtime, fn.handler], ["ai-prod-model-spend", "nodejs22.x", "components/monitoring/metering/meter.handler"]);
        assert.deepEqual(JSON.parse(fn.environment.variables[METERING_QUOTAS_VARIABLE]), quotas);
        assert.deepEqual(JSON.parse(fn.environment.variables.IN_CLUSTER_MODELS), ["llama"]);
        assert.equal(one(resources, "aws:cloudwatch/eventRule:EventRule").inputs.scheduleExpression, "rate(1 hour)");
        const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.inputs as Record<string, any>);
        const spend = alarms.filter((a) => a.metricName === "MonthToDateUsd");
        assert.deepEqual(spend.map((a) => [a.name, a.namespace, a.dimensions, a.threshold, a.alarmActions[0], a.treatMissingData]), [
            ["ai-prod-search-model-spend-warning", "AiInfra/ModelSpend", { Environment: "prod", Team: "search" }, 1400, "arn:warning", "missing"],
            ["ai-prod-search-model-spend-critical", "AiInfra/ModelSpend", { Environment: "prod", Team: "search" }, 1800, "arn:critical", "missing"],
        ]);
        const deploymentResource = one(resources, "kubernetes:apps/v1:Deployment");
        const deployment = deploymentResource.inputs as any;
        assert.equal(deployment.spec.template.spec.serviceAccountName, "token-metering");
        // Pod Identity credentials reach only pods created after the association: the collector waits for it and its policy.
        const urnOf = (type: string, name: string) => one(resources, type, name).urn;
        for (const dep of [urnOf("aws:eks/podIdentityAssociation:PodIdentityAssociation", "mm-collector"), urnOf("aws:iam/rolePolicy:RolePolicy", "mm-collector")]) {
            assert.ok(deploymentResource.dependencies.includes(dep), dep);
        }
        const config = yaml.load(String((one(resources, "kubernetes:core/v1:ConfigMap").inputs as any).data["config.yaml"])) as any;
        // `/aws/<project>/<stack>/gateway-tokens`: the mock runs project ai-infra, stack test.
        assert.equal(config.exporters.awsemf.log_group_name, "/aws/ai-infra/test/gateway-tokens");
        const pia = one(resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation").inputs;
        assert.deepEqual([pia.namespace, pia.serviceAccount], ["envoy-gateway-system", "token-metering"]);
        const put = JSON.parse(String(ofType(resources, "aws:iam/rolePolicy:RolePolicy").find((p) => String(p.inputs.policy).includes("PutMetricData"))!.inputs.policy));
        assert.deepEqual(put.Statement[1].Condition, { StringEquals: { "cloudwatch:namespace": "AiInfra/ModelSpend" } });
    });

    it("ships a Lambda that loads with its price table", () => {
        const dir = path.join(__dirname, "..", "..", ".scratch", "metering-lambda");
        for (const [name, js] of Object.entries(lambdaFiles(METERING_SOURCES))) {
            fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
            fs.writeFileSync(path.join(dir, name), js);
        }
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const shipped = require(path.join(dir, "components/monitoring/metering/meter.js")) as { handler: unknown; countsOf: (s: unknown[], m: string[]) => unknown[] };
        assert.equal(typeof shipped.handler, "function");
        assert.deepEqual(shipped.countsOf([{ dimensions: { gen_ai_provider_name: "aws.bedrock", gen_ai_request_model: "m", gen_ai_token_type: "output" }, sum: 3 }], []), [{ provider: "aws-bedrock", model: "m", input: 0, output: 3 }]);
    });

    it("adds a model-spend row with one widget per metered team at its thresholds", () => {
        const body = dashboardBody({ region: "us-east-1", environment: "prod", clusterName: "c", cacheNodes: [], gatewayNamespace: "n", environmentBudgetUsd: 1,
            teams: [{ id: "search", monthlyBudgetUsd: 7000, modelBudgetUsd: 2000, gateway: {} }, { id: "web", monthlyBudgetUsd: 10 }], warningPercent: 70, criticalPercent: 90 }) as { widgets: any[] };
        const w = body.widgets.filter((x) => String(x.properties.title ?? "").includes("model spend"));
        assert.deepEqual(w.map((x) => x.properties.title), ["search: model spend this month (USD)"]);
        assert.deepEqual(w[0].properties.metrics[0].slice(0, 6), ["AiInfra/ModelSpend", "MonthToDateUsd", "Environment", "prod", "Team", "search"]);
        assert.deepEqual(w[0].properties.annotations.horizontal.map((h: { value: number }) => h.value), [1400, 1800, 2000]);
    });
});
