import { HOURS_PER_MONTH, roundCents } from "../components/catalog";
import { CostEstimate, CostLine, MODEL_API_KIND, Range } from "../lib/cost";

/**
 * What the cost design earns, against a naive baseline (DESIGN.md "Savings baseline"): every node group at
 * its maxSize, on-demand at its dearest listed type, 730 hours a month (no schedules, no scale-to-zero, no
 * spot), plus the same shared resources at their own max. Savings = 1 − figure / baseline, as fractions
 * (0.72 = 72 % below the baseline), for the estimate's min, expected and max.
 */

/** Fractions below the baseline; null when there is nothing to compare (baseline 0) or a line is unpriced. */
export interface Savings {
    min: number | null;
    expected: number | null;
    max: number | null;
}

export interface NaiveBaseline {
    monthly: number;
}

export interface SavingsFigures {
    naiveBaseline: NaiveBaseline;
    savings: Savings;
}

export interface SavingsReport extends SavingsFigures {
    byTeam: Record<string, SavingsFigures>;
}

/** A line's naive monthly cost: a node group's full capacity on-demand, anything else its own max. */
export function naiveMonthly(line: CostLine): number {
    if (!line.naive) return line.monthly.max;
    const { maxSize, onDemandHourly, storageMonthlyPerNode } = line.naive;
    return maxSize * (onDemandHourly * HOURS_PER_MONTH + storageMonthlyPerNode);
}

/** Four decimals: a tenth of a percent point is more than any catalog price can claim. */
const fraction = (n: number) => Math.round(n * 10_000) / 10_000;

export function savingsOf(lines: readonly CostLine[], figures: Range): SavingsFigures {
    const baseline = roundCents(lines.reduce((sum, l) => sum + naiveMonthly(l), 0));
    // An unpriced line counts 0 in both the figure and the baseline: a ratio over it would flatter.
    const comparable = baseline > 0 && !lines.some((l) => l.unpriced);
    const saved = (figure: number) => (comparable ? fraction(1 - figure / baseline) : null);
    return {
        naiveBaseline: { monthly: baseline },
        savings: { min: saved(figures.min), expected: saved(figures.expected), max: saved(figures.max) },
    };
}

/**
 * Model-API spend at the token quota (`model-api` lines) is no part of the cost design the baseline
 * measures: it would sit in both the figure and the baseline and drown the infrastructure's savings.
 */
export function savingsReport(cost: CostEstimate): SavingsReport {
    const infra = cost.lines.filter((l) => l.kind !== MODEL_API_KIND);
    const byTeam: Record<string, SavingsFigures> = {};
    for (const team of Object.keys(cost.byTeam)) {
        const lines = infra.filter((l) => l.team === team);
        byTeam[team] = savingsOf(lines, sumOf(lines));
    }
    return { ...savingsOf(infra, sumOf(infra)), byTeam };
}

function sumOf(lines: readonly CostLine[]): Range {
    const r: Range = { min: 0, expected: 0, max: 0 };
    for (const l of lines) for (const k of ["min", "expected", "max"] as const) r[k] = roundCents(r[k] + l.monthly[k]);
    return r;
}

/** `72.3 %`, or `-` when not comparable; never rounds a saving up to a round 100 % it did not reach. */
export function formatSaving(s: number | null): string {
    if (s === null) return "-";
    return s < 1 && s > 0.999 ? ">99.9 %" : `${(s * 100).toFixed(1)} %`;
}
