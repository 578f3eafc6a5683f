import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { formatUsd as usd, roundCents } from "../components/catalog";
import { PLATFORM_TEAM, TAG_KEYS } from "../components/tags";
import { quotasOf } from "../components/modelSpend";
import { estimateCost, MODEL_API_KIND } from "../lib/cost";
import { isRecord } from "./common";
import { elements, peek, peekAt, resolveRegion, strings } from "../components/tagResolution";
import { gpuUsage } from "./gpuQuota";

export const BUDGET_TYPE = "aws:budgets/budget:Budget";

/** Does a budget resource filter on `team=<team>` (classic cost filters or the newer filter expression)? */
export function budgetTeam(props: Record<string, unknown>): string | undefined {
    // Read with peek: a budget's filters may be unknown in a preview.
    for (const f of elements(peek(props, "costFilters"))) {
        if (peek(f, "name") !== "TagKeyValue") continue;
        for (const v of strings(peek(f, "values"))) {
            const m = /^user:team\$(.+)$/.exec(v);
            if (m) return m[1];
        }
    }
    const tags = peekAt(props, "filterExpression", "tags");
    const first = strings(peek(tags, "values"))[0];
    if (peek(tags, "key") === TAG_KEYS.team && first !== undefined) return first;
    return undefined;
}

function teamBudgets(resources: readonly PolicyResource[]): Map<string, PolicyResource> {
    const map = new Map<string, PolicyResource>();
    for (const r of resources) {
        if (r.type !== BUDGET_TYPE || !isRecord(r.props)) continue;
        const team = budgetTeam(r.props);
        if (team) map.set(team, r);
    }
    return map;
}

function thresholds(props: Record<string, unknown>): number[] {
    const notes = Array.isArray(props.notifications) ? props.notifications : [];
    return notes.filter((n) => isRecord(n) && n.notificationType === "ACTUAL" && (n.thresholdType ?? "PERCENTAGE") === "PERCENTAGE" && typeof n.threshold === "number")
        .map((n) => (n as { threshold: number }).threshold);
}

export const teamBudget: StackValidationPolicy = {
    name: "team-budget",
    description: "Every team owning GPU capacity has an AWS budget on its team tag with warning and critical notifications.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { maxWarningPercent: { type: "number", minimum: 1, maximum: 100, default: 80, description: "The warning notification must fire at or below this." } } },
    validateStack: (args, report) => {
        const configured = args.getConfig<{ maxWarningPercent?: unknown }>().maxWarningPercent;
        const maxWarning = typeof configured === "number" ? configured : 80;
        const budgets = teamBudgets(args.resources);
        for (const t of gpuUsage(args.resources)) {
            if (t.team === PLATFORM_TEAM) continue;
            const budget = budgets.get(t.team);
            if (!budget) {
                report(`team ${t.team} owns GPU capacity (${t.units.map((g) => g.name).join(", ")}) but has no budget filtered on user:team$${t.team}`, t.units[0].urn);
                continue;
            }
            const levels = [...new Set(thresholds(budget.props))].sort((a, b) => a - b);
            const warning = levels.find((l) => l <= maxWarning);
            const critical = warning === undefined ? undefined : levels.find((l) => l > warning);
            if (warning === undefined || critical === undefined) {
                report(`team ${t.team}: budget ${budget.name} notifies on ACTUAL at ${levels.join(", ") || "no"} %; needs a warning at or below ${maxWarning} % and a critical above it`, budget.urn);
            }
        }
    },
};

interface CostConfig {
    spotDiscount?: Record<string, number>;
}

/** Prices resources whose provider names no region (region from the environment): the catalog's cheapest, so an over-budget verdict holds anywhere. */
export const FALLBACK_PRICING_REGION = "us-east-1";

/** The stack's region as its resources' providers declare it: the most common one among them. */
export function stackRegion(resources: readonly { provider?: { props: unknown } }[]): string | undefined {
    const counts = new Map<string, number>();
    for (const r of resources) {
        const region = resolveRegion(r.provider?.props);
        if (region) counts.set(region, (counts.get(region) ?? 0) + 1);
    }
    return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

export const costWithinBudget: StackValidationPolicy = {
    name: "cost-within-budget",
    description: "Each team's estimated monthly cost at max scale (the offline plan's estimator, each resource priced in its provider's region) fits its budget.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            spotDiscount: { type: "object", additionalProperties: { type: "number", minimum: 0, maximum: 0.99 }, default: {}, description: "Spot discount overrides per instance family." },
        },
    },
    validateStack: (args, report) => {
        const { budgets, estimate, region } = estimateWithBudgets(args.resources, args.getConfig<CostConfig>());
        for (const [team, budget] of budgets) {
            const limit = Number(budget.props.limitAmount);
            if (!estimate.byTeam[team] || !Number.isFinite(limit)) continue;
            // The infrastructure this stack declares; model-API spend at the token quota is judged by model-spend-within-budget.
            const lines = estimate.lines.filter((l) => l.team === team && l.kind !== MODEL_API_KIND);
            const max = roundCents(lines.reduce((n, l) => n + l.monthly.max, 0));
            const unpriced = lines.filter((l) => l.unpriced);
            if (max > limit) {
                report(`team ${team}: estimated ${usd(max)}/month at max scale (${region ? `${region} prices` : `no provider names a region: ${FALLBACK_PRICING_REGION} prices`}) exceeds its budget of ${usd(limit)} (${budget.name})${unpriced.length ? `; ${unpriced.length} line(s) could not be priced` : ""}`, budget.urn);
            } else if (unpriced.length > 0) {
                // An unpriced line counts $0: under the budget is then no verdict, so it must not read as a pass.
                const reasons = [...new Set(unpriced.map((l) => l.unpriced))].join("; ");
                report(`team ${team}: cannot judge its budget of ${usd(limit)} (${budget.name}): ${unpriced.length} cost line(s) not priced (${reasons}); the priced lines alone come to ${usd(max)}/month at max scale`, budget.urn);
            }
        }
    },
};

function estimateWithBudgets(resources: readonly PolicyResource[], cfg: CostConfig) {
    const budgets = teamBudgets(resources);
    // Region from each resource's provider (the default provider carries `aws:region`), never from policy config.
    const region = stackRegion(resources);
    const estimate = estimateCost(resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: isRecord(r.props) ? r.props : {}, providerProps: r.provider?.props, dependencies: r.dependencies.map((d) => d.urn) })), {
        region: region ?? FALLBACK_PRICING_REGION,
        spotDiscount: isRecord(cfg.spotDiscount) ? cfg.spotDiscount as Record<string, number> : {},
    });
    return { budgets, estimate, region };
}

/**
 * A token rate limit bounds the rate, not the month: flags a team whose quota, used all month at the
 * dearest routed model, could spend beyond its model budget, or push its total past its budget. Advisory
 * by default: a quota is a burst allowance, and the metering's budget alarms catch actual spend.
 */
export const modelSpendWithinBudget: StackValidationPolicy = {
    name: "model-spend-within-budget",
    description: "A team's token quota cannot spend more on model APIs in a month than its model budget, nor push its total past its budget.",
    enforcementLevel: "advisory",
    configSchema: costWithinBudget.configSchema,
    validateStack: (args, report) => {
        const { budgets, estimate } = estimateWithBudgets(args.resources, args.getConfig<CostConfig>());
        const quotas = new Map(args.resources.flatMap((r) => (quotasOf(r.type, isRecord(r.props) ? r.props : {}) ?? []).map((q) => [q.team, { q, urn: r.urn }] as const)));
        for (const [team, { q, urn }] of quotas) {
            const model = roundCents(estimate.lines.filter((l) => l.team === team && l.kind === MODEL_API_KIND).reduce((n, l) => n + l.monthly.max, 0));
            if (model > q.modelBudgetUsd) {
                report(`team ${team}: its token quota (${q.tokensPerMinute} tokens/min) permits up to ${usd(model)}/month of model-API spend, above its model budget of ${usd(q.modelBudgetUsd)}: lower the quota or raise the budget`, urn);
            }
            const budget = budgets.get(team);
            const limit = budget ? Number(budget.props.limitAmount) : NaN;
            const total = estimate.byTeam[team]?.max ?? 0;
            if (budget && Number.isFinite(limit) && total > limit && model > 0) {
                report(`team ${team}: infrastructure at max scale plus model APIs at the token quota reach ${usd(total)}/month, above its budget of ${usd(limit)} (${budget.name})`, budget.urn);
            }
        }
    },
};