/**
 * The model-spend metering Lambda: every hour, price each team's month-to-date gateway tokens and publish
 * `AiInfra/ModelSpend MonthToDateUsd {Environment, Team}` (and the tokens it could not price), which the
 * per-team budget alarms and the dashboard read. Ships with ../../modelPrices.ts and imports nothing else
 * but the AWS SDK v3 the Lambda Node.js runtime provides.
 */
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, MetricDataQuery, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { PROVIDER_BY_GENAI_NAME, spendOf, TokenCounts } from "../../modelPrices";

import { SPEND_NAMESPACE, TEAM_DIMENSION, TOKENS_METRIC, TOKENS_NAMESPACE } from "./constants";

export { SPEND_NAMESPACE, TEAM_DIMENSION, TOKENS_METRIC, TOKENS_NAMESPACE };

export interface MeterEnv {
    ENVIRONMENT: string;
    /** JSON: team ids to meter. */
    TEAMS: string;
    /** JSON: model names served in-cluster (their tokens cost nothing per token). */
    IN_CLUSTER_MODELS: string;
    /** JSON: [{team, models: [{provider, model}]}], the teams' routed models (components/modelSpend.ts TeamModelQuota). */
    METERING_QUOTAS?: string;
}

/** Token types the prices apply to (AI Gateway's gen_ai.token.type values; `reasoning` is inside `output`). */
export const PRICED_TOKEN_TYPES = ["input", "output", "cached_input", "cache_creation_input"] as const;

type Dimensions = { Name: string; Value: string }[];

export interface Series { dimensions: Record<string, string>; sum: number }

/** The first instant of the month (UTC) `now` is in: budgets are monthly, in UTC like AWS Budgets. */
export function monthStart(now: Date): Date {
    return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

/** Fold token series (one per provider, model and token type) into priced counts, in-cluster ones dropped. */
export function countsOf(series: readonly Series[], inClusterModels: readonly string[]): TokenCounts[] {
    const byModel = new Map<string, TokenCounts>();
    for (const s of series) {
        const genai = s.dimensions.gen_ai_provider_name ?? "";
        const model = s.dimensions.gen_ai_request_model ?? "";
        const type = s.dimensions.gen_ai_token_type ?? "";
        const provider = PROVIDER_BY_GENAI_NAME[genai] ?? genai;
        if (provider === "openai" && inClusterModels.includes(model)) continue;
        const key = `${provider}/${model}`;
        const c = byModel.get(key) ?? { provider, model, input: 0, output: 0 };
        if (type === "input" || type === "output" || type === "cached_input" || type === "cache_creation_input") c[type] = (c[type] ?? 0) + s.sum;
        byModel.set(key, c);
    }
    return [...byModel.values()];
}

/**
 * The series a team's routed paid models can have (the collector's EMF dimension set, modelMetering.ts):
 * asked for by name, because ListMetrics leaves out a series with no data in the past two weeks
 * (CloudWatch API reference, ListMetrics), and a model used on the 1st and idle since still counts on the 20th.
 */
export function routedSeries(team: string, models: readonly { provider: string; model: string }[]): Dimensions[] {
    const out: Dimensions[] = [];
    for (const { provider, model } of models) {
        for (const genai of Object.keys(PROVIDER_BY_GENAI_NAME).filter((g) => PROVIDER_BY_GENAI_NAME[g] === provider)) {
            for (const type of PRICED_TOKEN_TYPES) {
                out.push([{ Name: TEAM_DIMENSION, Value: team }, { Name: "gen_ai_provider_name", Value: genai }, { Name: "gen_ai_request_model", Value: model }, { Name: "gen_ai_token_type", Value: type }]);
            }
        }
    }
    return out;
}

const seriesKey = (d: readonly { Name?: string; Value?: string }[]) => JSON.stringify([...d].map((x) => [x.Name ?? "", x.Value ?? ""]).sort());

async function teamSeries(cw: Pick<CloudWatchClient, "send">, team: string, routed: readonly Dimensions[], from: Date, to: Date): Promise<Series[]> {
    const metrics: { Dimensions?: { Name?: string; Value?: string }[] }[] = [];
    let NextToken: string | undefined;
    do {
        const page = await cw.send(new ListMetricsCommand({ Namespace: TOKENS_NAMESPACE, MetricName: TOKENS_METRIC, Dimensions: [{ Name: TEAM_DIMENSION, Value: team }], NextToken }));
        metrics.push(...(page.Metrics ?? []));
        NextToken = page.NextToken;
    } while (NextToken);
    // Listed series (any model, priced or not) plus the routed ones it may have left out, each once.
    const listed = new Set(metrics.map((m) => seriesKey(m.Dimensions ?? [])));
    for (const d of routed) if (!listed.has(seriesKey(d))) metrics.push({ Dimensions: d });
    const out: Series[] = [];
    // GetMetricData takes at most 500 queries per call.
    for (let i = 0; i < metrics.length; i += 500) {
        const batch = metrics.slice(i, i + 500);
        const queries: MetricDataQuery[] = batch.map((m, j) => ({
            Id: `m${j}`, ReturnData: true,
            MetricStat: { Metric: { Namespace: TOKENS_NAMESPACE, MetricName: TOKENS_METRIC, Dimensions: m.Dimensions as { Name: string; Value: string }[] }, Period: 3600, Stat: "Sum" },
        }));
        const sums = new Map<string, number>();
        let token: string | undefined;
        do {
            const page = await cw.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: from, EndTime: to, NextToken: token }));
            for (const r of page.MetricDataResults ?? []) sums.set(r.Id ?? "", (sums.get(r.Id ?? "") ?? 0) + (r.Values ?? []).reduce((a, b) => a + b, 0));
            token = page.NextToken;
        } while (token);
        batch.forEach((m, j) => out.push({ dimensions: Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name ?? "", d.Value ?? ""])), sum: sums.get(`m${j}`) ?? 0 }));
    }
    return out;
}

export interface TeamSpend { team: string; usd: number; unpricedTokens: Record<string, number> }

export async function meter(env: MeterEnv, cw: Pick<CloudWatchClient, "send">, now = new Date()): Promise<TeamSpend[]> {
    const teams = JSON.parse(env.TEAMS) as string[];
    const inCluster = JSON.parse(env.IN_CLUSTER_MODELS) as string[];
    const quotas = JSON.parse(env.METERING_QUOTAS ?? "[]") as { team: string; models?: { provider: string; model: string }[] }[];
    const results: TeamSpend[] = [];
    for (const team of teams) {
        const routed = routedSeries(team, quotas.find((q) => q.team === team)?.models ?? []);
        const { usd, unpricedTokens } = spendOf(countsOf(await teamSeries(cw, team, routed, monthStart(now), now), inCluster));
        const dims = [{ Name: "Environment", Value: env.ENVIRONMENT }, { Name: "Team", Value: team }];
        const unpriced = Object.values(unpricedTokens).reduce((a: number, b: number) => a + b, 0);
        await cw.send(new PutMetricDataCommand({
            Namespace: SPEND_NAMESPACE,
            MetricData: [
                { MetricName: "MonthToDateUsd", Dimensions: dims, Timestamp: now, Value: Math.round(usd * 100) / 100, Unit: "None" },
                { MetricName: "UnpricedTokens", Dimensions: dims, Timestamp: now, Value: unpriced, Unit: "Count" },
            ],
        }));
        if (unpriced > 0) console.warn(`team ${team}: tokens of unpriced models this month: ${JSON.stringify(unpricedTokens)}`);
        results.push({ team, usd, unpricedTokens });
    }
    return results;
}

export async function handler(): Promise<TeamSpend[]> {
    return meter(process.env as unknown as MeterEnv, new CloudWatchClient({}));
}
