/**
 * Model-API spend arithmetic, shared by the metering (components/monitoring/modelMetering.ts), the offline
 * plan's estimate and the policy pack, so all three agree. Pure: no Pulumi, no AWS.
 */
import { HOURS_PER_MONTH, roundCents } from "./catalog";
import { backendModelId } from "./configGatewayBackends";
import { dearestRate, modelPrice, PAID_PROVIDERS } from "./modelPrices";

/** A model a team's requests can reach, and the provider that bills it. */
export interface RoutedModel {
    provider: string;
    model: string;
}

/** What the metering knows of a team: its token quota and the paid models it can reach. */
export interface TeamModelQuota {
    team: string;
    /** The gateway's token rate limit; absent when the team is not admitted. */
    tokensPerMinute?: number;
    /** Monthly model-API budget the metering alarms on (USD). */
    modelBudgetUsd: number;
    models: RoutedModel[];
}

export interface ModelSpendMax {
    /** The most a month of tokens at the quota can cost at the dearest priced routed model (USD). */
    maxUsd: number;
    /** The model that sets the figure (provider/model), absent when nothing is priced. */
    dearest?: string;
    /** Paid models the team can reach that the price table does not know: the figure excludes them. */
    unpriced: string[];
}

export const MINUTES_PER_MONTH = HOURS_PER_MONTH * 60;

/**
 * Environment variable of the metering Lambda holding TeamModelQuota[] as JSON: the deployed record of
 * what each team may spend on model APIs, read by the plan's estimate and the policy pack.
 */
export const METERING_QUOTAS_VARIABLE = "METERING_QUOTAS";

/**
 * What the metering Lambda publishes (metering/meter.ts, which ships alone and keeps its own copy; a test
 * holds them equal): per team, month to date.
 */
export const MODEL_SPEND_METRICS = { namespace: "AiInfra/ModelSpend", metricNames: ["MonthToDateUsd", "UnpricedTokens"], dimensions: ["Environment", "Team"] } as const;

/** The quotas a resource records, when it is the metering Lambda; undefined otherwise. */
export function quotasOf(type: string, props: Record<string, unknown>): TeamModelQuota[] | undefined {
    if (type !== "aws:lambda/function:Function") return undefined;
    const env = props.environment as { variables?: Record<string, unknown> } | undefined;
    const raw = env?.variables?.[METERING_QUOTAS_VARIABLE];
    if (typeof raw !== "string") return undefined;
    try {
        const parsed = JSON.parse(raw) as unknown;
        return Array.isArray(parsed) ? parsed as TeamModelQuota[] : undefined;
    } catch {
        return undefined;
    }
}

/** Paid models (in-cluster ones excluded), de-duplicated, in a stable order. */
/** A backend as the spend arithmetic needs it: the ids it is sent are what its provider bills and the gateway reports. */
type BackendModels = { provider: string; models: readonly string[]; modelIds?: Readonly<Record<string, string>> };
const sentIds = (b: BackendModels) => b.models.map((m) => backendModelId(b, m));

/** Paid models (in-cluster ones excluded), by the id each backend is sent, de-duplicated, in a stable order. */
export function paidModels(backends: readonly BackendModels[]): RoutedModel[] {
    const seen = new Map<string, RoutedModel>();
    for (const b of backends) {
        if (!PAID_PROVIDERS.includes(b.provider)) continue;
        for (const model of sentIds(b)) seen.set(`${b.provider}/${model}`, { provider: b.provider, model });
    }
    return [...seen.values()];
}

/**
 * The most model spend a token quota permits in a month: every minute at the quota, every token at the
 * dearest rate (input, output or cache) of any priced model the team can reach. A rate limit bounds the
 * rate, not the month: this is what a reviewer should compare with the budget.
 */
export function maxMonthlyModelSpend(q: Pick<TeamModelQuota, "tokensPerMinute" | "models">): ModelSpendMax {
    const unpriced: string[] = [];
    let rate = 0;
    let dearest: string | undefined;
    for (const m of q.models) {
        const price = modelPrice(m.provider, m.model);
        if (!price) {
            unpriced.push(`${m.provider}/${m.model}`);
            continue;
        }
        const r = dearestRate(price);
        if (r > rate) {
            rate = r;
            dearest = `${m.provider}/${m.model}`;
        }
    }
    const tokens = (q.tokensPerMinute ?? 0) * MINUTES_PER_MONTH;
    return { maxUsd: roundCents((tokens / 1e6) * rate), ...(dearest ? { dearest } : {}), unpriced };
}

/**
 * What the metering meters: every team the gateway admits, its token quota, its model budget (default:
 * its whole monthly budget) and the paid models it can reach. All routed paid models count for every
 * team: the estimate stays an upper bound whatever the tiers route.
 */
export function teamModelQuotas(
    teams: readonly { id: string; monthlyBudgetUsd: number; modelBudgetUsd?: number; gateway?: { tokensPerMinute: number } }[],
    backends: readonly BackendModels[],
): TeamModelQuota[] {
    const models = paidModels(backends);
    return teams.filter((t) => t.gateway).map((t) => ({
        team: t.id, tokensPerMinute: t.gateway!.tokensPerMinute, modelBudgetUsd: t.modelBudgetUsd ?? t.monthlyBudgetUsd, models,
    }));
}

/** Model names served by in-cluster backends (the ids they are sent, which the gateway reports). */
export function inClusterModels(backends: readonly BackendModels[]): string[] {
    return [...new Set(backends.filter((b) => b.provider === "in-cluster").flatMap(sentIds))];
}
