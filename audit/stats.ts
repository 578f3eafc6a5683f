import { percentile } from "../lib/stats";

export { percentile };

export interface Summary {
    p50: number;
    p95: number;
    max: number;
    samples: number;
}

export function summarize(values: readonly number[]): Summary | undefined {
    if (values.length === 0) return undefined;
    return { p50: percentile(values, 50)!, p95: percentile(values, 95)!, max: Math.max(...values), samples: values.length };
}

/** One instance's series: timestamps (ms) and values. */
export interface Series {
    id: string;
    timestamps: number[];
    values: number[];
}

const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/**
 * Fold per-instance series into the group's view over the hours that have data: at each timestamp the
 * average over the instances that reported and how many did (the group's node count at that hour).
 * Hours with no datapoint at all are absent, not zero.
 */
export function groupSeries(series: readonly Series[]): { times: number[]; average: number[]; nodes: number[] } {
    const byTime = new Map<number, Map<string, number>>();
    for (const s of series) {
        s.timestamps.forEach((t, i) => {
            const v = s.values[i];
            if (!finite(v)) return;
            const at = byTime.get(t) ?? new Map<string, number>();
            at.set(s.id, v);
            byTime.set(t, at);
        });
    }
    const times = [...byTime.keys()].sort((a, b) => a - b);
    const values = (t: number) => [...byTime.get(t)!.values()];
    return {
        times,
        average: times.map((t) => values(t).reduce((a, b) => a + b, 0) / values(t).length),
        nodes: times.map((t) => byTime.get(t)!.size),
    };
}

/** The largest value of any series at any time, or undefined without data. */
export function peakOf(series: readonly Series[]): number | undefined {
    const all = series.flatMap((s) => s.values.filter(finite));
    return all.length === 0 ? undefined : Math.max(...all);
}

/** Per timestamp, the sum over series (e.g. GPUs allocated across the group's nodes at that hour). */
export function sumByTime(series: readonly Series[]): Map<number, number> {
    const out = new Map<number, number>();
    for (const s of series) s.timestamps.forEach((t, i) => {
        const v = s.values[i];
        if (finite(v)) out.set(t, (out.get(t) ?? 0) + v);
    });
    return out;
}
