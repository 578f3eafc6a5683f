import { strict as assert } from "assert";
import * as path from "path";
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { mockClient } from "aws-sdk-client-mock";
import { parseStackConfig } from "../../components/config";
import { MODEL_PRICES_AS_OF, modelPrice, spendOf } from "../../components/modelPrices";
import { maxMonthlyModelSpend, MINUTES_PER_MONTH, MODEL_SPEND_METRICS, paidModels } from "../../components/modelSpend";
import { countsOf, meter, monthStart, routedSeries, SPEND_NAMESPACE } from "../../components/monitoring/metering/meter";
import { readProjectName, readStackFile } from "../../plan/stackFile";
import { baseConfig } from "../helpers";

const repo = path.join(__dirname, "..", "..");

describe("model prices", () => {
    it("prices every paid model the bundled stacks route, with an as-of date", () => {
        assert.match(MODEL_PRICES_AS_OF, /^\d{4}-\d{2}-\d{2}$/);
        for (const stack of ["dev", "staging", "prod"]) {
            const config = parseStackConfig(readStackFile(path.join(repo, "stacks", `Pulumi.${stack}.yaml`), readProjectName(repo)).config);
            for (const m of paidModels(config.gateway.backends)) assert.ok(modelPrice(m.provider, m.model), `${stack}: ${m.provider}/${m.model} has no price`);
        }
    });

    it("prices Bedrock cross-region inference profiles as their base model, and never guesses", () => {
        assert.deepEqual(modelPrice("aws-bedrock", "us.anthropic.claude-3-5-haiku-20241022-v1:0"), modelPrice("aws-bedrock", "anthropic.claude-3-5-haiku-20241022-v1:0"));
        assert.deepEqual(modelPrice("aws-bedrock", "us.meta.llama3-1-8b-instruct-v1:0"), { input: 0.22, output: 0.22 });
        assert.equal(modelPrice("openai", "gpt-9"), undefined);
        assert.equal(modelPrice("openai", "us.gpt-4o-mini"), undefined);
        assert.equal(modelPrice("in-cluster", "meta.llama3-1-8b-instruct-v1:0"), undefined);
    });

    it("adds Anthropic's regional premium to in-region and geographic ids of Haiku 4.5, not to its global profile", () => {
        const global = modelPrice("aws-bedrock", "global.anthropic.claude-haiku-4-5-20251001-v1:0")!;
        assert.deepEqual([global.input, global.output, global.cachedInput, global.cacheWrite], [1, 5, 0.1, 1.25]);
        for (const id of ["us.anthropic.claude-haiku-4-5-20251001-v1:0", "anthropic.claude-haiku-4-5-20251001-v1:0"]) {
            const p = modelPrice("aws-bedrock", id)!;
            assert.deepEqual([p.input, p.output, p.cachedInput, p.cacheWrite], [1.1, 5.5, 0.11, 1.375], id);
        }
    });

    it("bills cached reads and cache writes at their rates, out of the input count that includes them", () => {
        // Claude 3.5 Haiku: $0.80 in, $4 out, $0.08 cache read, $1 cache write per 1M.
        const r = spendOf([{ provider: "aws-bedrock", model: "anthropic.claude-3-5-haiku-20241022-v1:0", input: 1_000_000, output: 1_000_000, cached_input: 500_000, cache_creation_input: 250_000 }]);
        assert.equal(Math.round(r.usd * 1e6) / 1e6, 0.25 * 0.8 + 0.5 * 0.08 + 0.25 * 1 + 4);
        const unknown = spendOf([{ provider: "openai", model: "gpt-9", input: 10, output: 5 }]);
        assert.deepEqual(unknown, { usd: 0, unpricedTokens: { "openai/gpt-9": 15 } });
    });
});

describe("model spend at the token quota", () => {
    it("is tokens per minute x minutes in a month x the dearest rate of any priced routed model", () => {
        const models = paidModels([
            { provider: "in-cluster", models: ["meta.llama3-1-8b-instruct-v1:0"] },
            { provider: "aws-bedrock", models: ["meta.llama3-1-8b-instruct-v1:0", "anthropic.claude-3-5-haiku-20241022-v1:0"] },
            { provider: "openai", models: ["gpt-4o-mini"] },
        ]);
        assert.deepEqual(models.map((m) => m.provider), ["aws-bedrock", "aws-bedrock", "openai"], "in-cluster tokens are paid by node groups");
        const max = maxMonthlyModelSpend({ tokensPerMinute: 100_000, models });
        assert.equal(MINUTES_PER_MONTH, 43_800);
        assert.deepEqual(max, { maxUsd: 100_000 * 43_800 / 1e6 * 4, dearest: "aws-bedrock/anthropic.claude-3-5-haiku-20241022-v1:0", unpriced: [] });
        assert.deepEqual(maxMonthlyModelSpend({ tokensPerMinute: undefined, models }).maxUsd, 0, "a team not admitted spends nothing through the gateway");
        assert.deepEqual(maxMonthlyModelSpend({ tokensPerMinute: 10, models: [{ provider: "openai", model: "gpt-9" }] }), { maxUsd: 0, unpriced: ["openai/gpt-9"] });
    });
});

describe("model-spend metering Lambda", () => {
    const cw = mockClient(CloudWatchClient);
    beforeEach(() => cw.reset());
    const dims = (team: string, provider: string, model: string, type: string) => [
        { Name: "team", Value: team }, { Name: "gen_ai_provider_name", Value: provider }, { Name: "gen_ai_request_model", Value: model }, { Name: "gen_ai_token_type", Value: type },
    ];

    it("starts the month at 00:00 UTC on the 1st", () => {
        assert.equal(monthStart(new Date("2026-11-26T03:00:00Z")).toISOString(), "2026-11-01T00:00:00.000Z");
    });

    it("drops in-cluster tokens, which arrive as openai, and keeps Bedrock's for the same model name", () => {
        const counts = countsOf([
            { dimensions: { gen_ai_provider_name: "openai", gen_ai_request_model: "meta.llama3-1-8b-instruct-v1:0", gen_ai_token_type: "input" }, sum: 1000 },
            { dimensions: { gen_ai_provider_name: "aws.bedrock", gen_ai_request_model: "meta.llama3-1-8b-instruct-v1:0", gen_ai_token_type: "output" }, sum: 7 },
            { dimensions: { gen_ai_provider_name: "openai", gen_ai_request_model: "gpt-4o-mini", gen_ai_token_type: "reasoning" }, sum: 99 },
        ], ["meta.llama3-1-8b-instruct-v1:0"]);
        assert.deepEqual(counts, [
            { provider: "aws-bedrock", model: "meta.llama3-1-8b-instruct-v1:0", input: 0, output: 7 },
            { provider: "openai", model: "gpt-4o-mini", input: 0, output: 0 },
        ]);
    });

    it("still counts a routed model's series that ListMetrics no longer lists (no data for two weeks)", async () => {
        cw.reset();
        // The month's only use of gpt-4o-mini was on the 2nd: by the 20th ListMetrics returns nothing for it.
        cw.on(ListMetricsCommand).resolves({ Metrics: [{ Dimensions: dims("search", "openai", "gpt-9", "output") }] });
        cw.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries: { Id: string; MetricStat: { Metric: { Dimensions: { Name: string; Value: string }[] } } }[] }) => ({
            MetricDataResults: input.MetricDataQueries.map((q) => {
                const d = Object.fromEntries(q.MetricStat.Metric.Dimensions.map((x) => [x.Name, x.Value]));
                return { Id: q.Id, Values: d.gen_ai_request_model === "gpt-4o-mini" && d.gen_ai_token_type === "output" ? [1_000_000] : d.gen_ai_request_model === "gpt-9" ? [5] : [] };
            }),
        }));
        const quotas = [{ team: "search", modelBudgetUsd: 100, models: [{ provider: "openai", model: "gpt-4o-mini" }] }];
        const out = await meter({ ENVIRONMENT: "prod", TEAMS: JSON.stringify(["search"]), IN_CLUSTER_MODELS: "[]", METERING_QUOTAS: JSON.stringify(quotas) }, new CloudWatchClient({}), new Date("2026-11-20T03:00:00Z"));
        assert.deepEqual(out, [{ team: "search", usd: 0.6, unpricedTokens: { "openai/gpt-9": 5 } }]);
        // The listed series once, plus the routed model's four priced token types (OpenAI's one provider name).
        const queries = cw.commandCalls(GetMetricDataCommand)[0].args[0].input.MetricDataQueries!;
        assert.equal(queries.length, 1 + 4);
        assert.deepEqual(routedSeries("search", [{ provider: "aws-bedrock", model: "m" }]).map((d) => d[1].Value), Array(4).fill("aws.bedrock").concat(Array(4).fill("aws.anthropic")));
        assert.deepEqual(routedSeries("search", [{ provider: "in-cluster", model: "m" }]), [], "in-cluster tokens cost nothing per token");
    });

    it("publishes each team's month-to-date spend and unpriced tokens", async () => {
        cw.reset();
        cw.on(ListMetricsCommand, { Dimensions: [{ Name: "team", Value: "search" }] }).resolves({ Metrics: [
            { Dimensions: dims("search", "openai", "gpt-4o-mini", "input") }, { Dimensions: dims("search", "openai", "gpt-4o-mini", "output") }, { Dimensions: dims("search", "openai", "gpt-9", "output") },
        ] });
        cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: "m0", Values: [600_000, 400_000] }, { Id: "m1", Values: [1_000_000] }, { Id: "m2", Values: [5] }] });
        const now = new Date("2026-11-26T03:00:00Z");
        const out = await meter({ ENVIRONMENT: "prod", TEAMS: JSON.stringify(["search"]), IN_CLUSTER_MODELS: "[]" }, new CloudWatchClient({}), now);
        assert.deepEqual(out, [{ team: "search", usd: 0.15 + 0.6, unpricedTokens: { "openai/gpt-9": 5 } }]);
        const get = cw.commandCalls(GetMetricDataCommand)[0].args[0].input;
        assert.equal(get.StartTime!.toISOString(), "2026-11-01T00:00:00.000Z");
        assert.deepEqual(get.MetricDataQueries!.map((q) => [q.MetricStat!.Stat, q.MetricStat!.Metric!.Namespace, q.MetricStat!.Metric!.MetricName]), Array(3).fill(["Sum", "AiInfra/Gateway", "gen_ai_client_token_usage"]));
        const put = cw.commandCalls(PutMetricDataCommand)[0].args[0].input;
        assert.equal(put.Namespace, "AiInfra/ModelSpend");
        // What the plan's metric-source check believes the Lambda publishes is what it publishes.
        assert.equal(SPEND_NAMESPACE, MODEL_SPEND_METRICS.namespace);
        assert.deepEqual(put.MetricData!.map((d) => d.MetricName), [...MODEL_SPEND_METRICS.metricNames]);
        for (const d of put.MetricData!) assert.deepEqual(d.Dimensions!.map((x) => x.Name), [...MODEL_SPEND_METRICS.dimensions]);
        assert.deepEqual(put.MetricData!.map((d) => [d.MetricName, d.Value, d.Dimensions]), [
            ["MonthToDateUsd", 0.75, [{ Name: "Environment", Value: "prod" }, { Name: "Team", Value: "search" }]],
            ["UnpricedTokens", 5, [{ Name: "Environment", Value: "prod" }, { Name: "Team", Value: "search" }]],
        ]);
    });
});

describe("model end of life in stack config", () => {
    const TODAY = new Date("2026-11-26T00:00:00Z");
    const config = (models: string[], provider = "aws-bedrock") => baseConfig({
        "ai-infra:gateway": {
            tls: { insecureHttp: true },
            backends: [{ name: "b", provider, models, ...(provider === "openai" ? { credentialsSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbCdEf" } : {}) }],
        },
    });

    it("refuses a route to a retired model, naming the key, the date and what is served", () => {
        assert.throws(() => parseStackConfig(config(["us.meta.llama3-1-8b-instruct-v1:0", "us.anthropic.claude-3-5-haiku-20241022-v1:0"]), TODAY), (e: Error) =>
            /ai-infra:gateway\.backends\[0\]\.models\[1\]: "us\.anthropic\.claude-3-5-haiku-20241022-v1:0" is not allowed: aws-bedrock stopped serving it after 2026-06-19 .*every request to it fails; route a served model instead, e\.g\. .*anthropic\.claude-haiku-4-5-20251001-v1:0/.test(e.message)
            && !/claude-3-5-haiku-20241022-v1:0,/.test(e.message.split("e.g.")[1]));
    });

    it("accepts served models, a model with an announced date still ahead, and models it has no date for", () => {
        assert.doesNotThrow(() => parseStackConfig(config(["us.anthropic.claude-haiku-4-5-20251001-v1:0", "my-fine-tune"]), TODAY));
        assert.doesNotThrow(() => parseStackConfig(config(["gpt-4o-mini"], "openai"), TODAY));
        assert.doesNotThrow(() => parseStackConfig(config(["gpt-4o-mini"], "openai"), new Date("2027-01-14T00:00:00Z")), "served on its last day");
    });

    it("says so when no model of the provider is left to suggest", () => {
        // From 2027-01-15 both OpenAI models in the table are past their announced shutdown.
        assert.throws(() => parseStackConfig(config(["gpt-4o-mini"], "openai"), new Date("2027-01-15T00:00:00Z")),
            /openai stopped serving it after 2027-01-14 .*components\/modelPrices\.ts lists no openai model still served: add its successor there, with its prices/);
    });
});

describe("model lifecycle", () => {
    it("is retired from the day after the last day served, and counts the days to it", async () => {
        const { modelLifecycle } = await import("../../components/modelLifecycle");
        const day = (s: string) => new Date(`${s}T00:00:00Z`);
        const last = modelLifecycle("openai", "gpt-4o-mini", day("2027-01-14"));
        assert.deepEqual(last.phase === "retiring" ? [last.endOfLife, last.days] : last, ["2027-01-14", 0]);
        const before = modelLifecycle("openai", "gpt-4o-mini", day("2026-11-26"));
        assert.deepEqual(before.phase === "retiring" ? before.days : before, 49);
        assert.equal(modelLifecycle("openai", "gpt-4o-mini", day("2027-01-15")).phase, "retired");
        assert.deepEqual(modelLifecycle("openai", "gpt-9", day("2030-01-01")), { phase: "served" });
        assert.deepEqual(modelLifecycle("in-cluster", "anthropic.claude-3-5-haiku-20241022-v1:0", day("2030-01-01")), { phase: "served" }, "a model served in-cluster is the platform's own");
    });
});
