/** Percentile by linear interpolation between closest ranks (the usual "type 7"), on a copy. */
export function percentile(values: readonly number[], p: number): number | undefined {
    if (values.length === 0) return undefined;
    const sorted = [...values].sort((a, b) => a - b);
    const rank = (p / 100) * (sorted.length - 1);
    const lo = Math.floor(rank);
    const hi = Math.ceil(rank);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

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

/**
 * Fold per-instance series into the group's view: at each timestamp the average over the instances that
 * reported and how many did (the group's node count at that hour).
 */
export function groupSeries(series: readonly Series[]): { average: number[]; nodes: number[] } {
    const byTime = new Map<number, number[]>();
    for (const s of series) {
        s.timestamps.forEach((t, i) => {
            const v = s.values[i];
            if (typeof v === "number" && Number.isFinite(v)) byTime.set(t, [...(byTime.get(t) ?? []), v]);
        });
    }
    const times = [...byTime.keys()].sort((a, b) => a - b);
    return {
        average: times.map((t) => byTime.get(t)!.reduce((a, b) => a + b, 0) / byTime.get(t)!.length),
        nodes: times.map((t) => byTime.get(t)!.length),
    };
}
