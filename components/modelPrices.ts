/**
 * Model API prices: USD per 1 million tokens, for every model the bundled stacks route to a paid API, and
 * when the provider stops serving a model. In-cluster models are not here on purpose: their cost is the
 * GPU node groups they run on (catalog.ts). A model that is not in this table is reported as unpriced by
 * the metering and the plan, never guessed. Imports nothing: the model-spend metering Lambda ships this
 * file as is.
 *
 * Sources, read on MODEL_PRICES_AS_OF: OpenAI API pricing (openai.com/api/pricing) and Amazon Bedrock
 * on-demand pricing for us-east-1 (aws.amazon.com/bedrock/pricing; a cross-region inference profile is
 * billed at the source region's price), cross-checked against BerriAI/litellm
 * model_prices_and_context_window.json (commit 00035b69f416be24e2e323c13198d9b7d2d1bdf9), which agrees on
 * every figure but Llama 3.1 70B (it still lists the earlier $0.99). Update the date with the figures.
 */

export const MODEL_PRICES_AS_OF = "2026-11-26";

const OPENAI_GPT4O_SHUTDOWN = "OpenAI deprecations, announced 2026-10-14 (as reported by secondary sources; verify on platform.openai.com/docs/deprecations)";

export interface ModelPrice {
    /** USD per 1M input (prompt) tokens. */
    input: number;
    /** USD per 1M output (completion) tokens. */
    output: number;
    /** USD per 1M cached input tokens read (absent: billed as input). */
    cachedInput?: number;
    /** USD per 1M tokens written to a prompt cache (absent: billed as input). */
    cacheWrite?: number;
    /**
     * Share added to every rate when the model is called through a regional endpoint (an in-region id or a
     * geographic profile such as `us.`) rather than the `global.` profile. Anthropic on Bedrock, from Claude
     * Haiku 4.5 on: "regional endpoints include a 10% premium" (platform.claude.com, pricing).
     */
    regionalPremium?: number;
    /**
     * Last day the provider serves the model (YYYY-MM-DD); after it every request fails (Bedrock:
     * ResourceNotFoundException "This model version has reached the end of its life"). Absent: no date
     * announced. Judged by components/modelLifecycle.ts.
     */
    endOfLife?: string;
    /** Where endOfLife comes from. */
    endOfLifeSource?: string;
}

/** Keyed by provider, then by the model id clients send (and AI Gateway reports as gen_ai.request.model). */
export const MODEL_PRICES: Readonly<Record<string, Readonly<Record<string, ModelPrice>>>> = {
    openai: {
        // Shutdown announced on 2026-10-14 for 2027-01-14, as reported by several secondary sources (dev.to,
        // codersera.com, cometapi); OpenAI's deprecations page itself could not be read here: check it.
        "gpt-4o-mini": { input: 0.15, output: 0.6, cachedInput: 0.075, endOfLife: "2027-01-14", endOfLifeSource: OPENAI_GPT4O_SHUTDOWN },
        "gpt-4o": { input: 2.5, output: 10, cachedInput: 1.25, endOfLife: "2027-01-14", endOfLifeSource: OPENAI_GPT4O_SHUTDOWN },
    },
    "aws-bedrock": {
        "meta.llama3-1-8b-instruct-v1:0": { input: 0.22, output: 0.22 },
        "meta.llama3-1-70b-instruct-v1:0": { input: 0.72, output: 0.72 },
        // Retired: kept so that tokens metered before the date are still priced and a route to it is refused.
        "anthropic.claude-3-5-haiku-20241022-v1:0": {
            input: 0.8, output: 4, cachedInput: 0.08, cacheWrite: 1,
            endOfLife: "2026-06-19", endOfLifeSource: "Amazon Bedrock model card, Claude 3.5 Haiku: Legacy, end of life 2026-06-19",
        },
        // Global-profile prices; `us.` and in-region calls pay the 10 % regional premium.
        "anthropic.claude-haiku-4-5-20251001-v1:0": { input: 1, output: 5, cachedInput: 0.1, cacheWrite: 1.25, regionalPremium: 0.1 },
    },
};

/** Providers whose tokens are billed per token; in-cluster backends are paid by their node groups. */
export const PAID_PROVIDERS = Object.keys(MODEL_PRICES);

/** Bedrock cross-region inference profile prefixes: `us.anthropic.claude-...` routes the base model across a geography. */
export const BEDROCK_PROFILE_PREFIX = /^(us|eu|apac|us-gov|jp|au|ca|global)\./;

/** The table entry of a model: a Bedrock inference profile id finds its base model's entry. */
export function modelEntry(provider: string, model: string): ModelPrice | undefined {
    const table = MODEL_PRICES[provider];
    if (!table) return undefined;
    if (table[model]) return table[model];
    return provider === "aws-bedrock" ? table[model.replace(BEDROCK_PROFILE_PREFIX, "")] : undefined;
}

/**
 * A model's price as billed for this id: a Bedrock inference profile is priced as its base model (AWS
 * bills the source region's price), plus the regional premium unless it is the `global.` profile.
 */
export function modelPrice(provider: string, model: string): ModelPrice | undefined {
    const entry = modelEntry(provider, model);
    if (!entry || !entry.regionalPremium || model.startsWith("global.")) return entry;
    const f = 1 + entry.regionalPremium;
    const scale = (x: number | undefined) => (x === undefined ? undefined : Math.round(x * f * 1e6) / 1e6);
    return { ...entry, input: scale(entry.input)!, output: scale(entry.output)!, cachedInput: scale(entry.cachedInput), cacheWrite: scale(entry.cacheWrite) };
}

/** The dearest per-token rate of a model, USD per 1M tokens: what any token may cost at most. */
export function dearestRate(p: ModelPrice): number {
    return Math.max(p.input, p.output, p.cachedInput ?? 0, p.cacheWrite ?? 0);
}

/** Token counts of one team and model in a period, by the AI Gateway's gen_ai.token.type values. */
export interface TokenCounts {
    provider: string;
    model: string;
    input: number;
    output: number;
    cached_input?: number;
    cache_creation_input?: number;
}

export interface SpendResult {
    usd: number;
    /** provider/model → tokens that could not be priced. */
    unpricedTokens: Record<string, number>;
}

/**
 * What tokens cost. AI Gateway's `input` count already includes cache reads and cache writes
 * (internal/metrics/metrics.go ExtractTokenUsageFromExplicitCaching at v1.1.0), and it reports
 * `cached_input` and `cache_creation_input` besides (metrics_impl.go RecordTokenUsage), so both are taken
 * out of `input` and billed at their own rates, never counted twice. `reasoning` tokens are part of
 * `output` as providers bill them and are not added again.
 */
export function spendOf(counts: readonly TokenCounts[]): SpendResult {
    let usd = 0;
    const unpricedTokens: Record<string, number> = {};
    for (const c of counts) {
        const key = `${c.provider}/${c.model}`;
        const price = modelPrice(c.provider, c.model);
        if (!price) {
            if (c.input + c.output > 0) unpricedTokens[key] = (unpricedTokens[key] ?? 0) + c.input + c.output;
            continue;
        }
        const cached = Math.min(c.cached_input ?? 0, c.input);
        const written = Math.min(c.cache_creation_input ?? 0, c.input - cached);
        usd += ((c.input - cached - written) * price.input + cached * (price.cachedInput ?? price.input)
            + written * (price.cacheWrite ?? price.input) + c.output * price.output) / 1e6;
    }
    return { usd, unpricedTokens };
}

/**
 * AI Gateway's `gen_ai.provider.name` values (internal/metrics/genai.go at v1.1.0) → this table's providers.
 * In-cluster model servers speak the OpenAI schema, so their tokens arrive as `openai` too: the metering
 * tells them apart by model name (a model served in-cluster and not in the OpenAI table costs no tokens).
 */
export const PROVIDER_BY_GENAI_NAME: Readonly<Record<string, string>> = {
    openai: "openai",
    "aws.bedrock": "aws-bedrock",
    "aws.anthropic": "aws-bedrock",
};
