import { todayUtc } from "./eksVersions";
import { MODEL_PRICES, modelEntry } from "./modelPrices";

/**
 * Whether a provider still serves a model, from the end-of-life dates in modelPrices.ts. A gateway route to
 * a retired model is well-formed and fails every request, so it is refused before anything is deployed
 * (config validation, policy `model-end-of-life`), and one nearing its date is flagged (`model-retirement-notice`).
 */
export type ModelLifecycle =
    | { phase: "served" }
    /** An end-of-life date is announced and still ahead; `days` from the judging day to it. */
    | { phase: "retiring"; endOfLife: string; days: number; source?: string }
    | { phase: "retired"; endOfLife: string; source?: string };

const DAY_MS = 24 * 3600 * 1000;

/** The model's phase on a day (UTC midnight); models the table does not know are `served` (and unpriced elsewhere). */
export function modelLifecycle(provider: string, model: string, on: Date = todayUtc()): ModelLifecycle {
    const entry = modelEntry(provider, model);
    if (!entry?.endOfLife) return { phase: "served" };
    const end = Date.parse(`${entry.endOfLife}T00:00:00Z`);
    // endOfLife is the last day served: requests fail from the next day. Whole UTC days, whatever the hour of `on`.
    const day = Date.UTC(on.getUTCFullYear(), on.getUTCMonth(), on.getUTCDate());
    const days = Math.round((end - day) / DAY_MS);
    return days < 0
        ? { phase: "retired", endOfLife: entry.endOfLife, source: entry.endOfLifeSource }
        : { phase: "retiring", endOfLife: entry.endOfLife, days, source: entry.endOfLifeSource };
}

/** Models of a provider with no end of life reached on that day: what a config error offers instead. */
export function servedModels(provider: string, on: Date = todayUtc()): string[] {
    return Object.keys(MODEL_PRICES[provider] ?? {}).filter((m) => modelLifecycle(provider, m, on).phase !== "retired");
}
