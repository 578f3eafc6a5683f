import { HOURS_PER_MONTH, INSTANCE_TYPES, InstanceFacts, onDemandHourly, roundCents as round, spotDiscount } from "../components/catalog";
import { groupSeries, Series, Summary, summarize } from "./stats";

/** Below this p95 GPU utilisation for the whole period a running GPU group is doing nothing useful. */
export const ZOMBIE_GPU_P95 = 2;
/** Headroom kept on GPU memory when proposing a smaller type. */
export const GPU_MEMORY_HEADROOM = 1.25;

/** A node group as EKS describes it, with the team from its tags. */
export interface NodeGroupShape {
    name: string;
    team: string;
    capacity: "ON_DEMAND" | "SPOT";
    instanceTypes: string[];
    minSize: number;
    maxSize: number;
    desiredSize: number;
}

export interface NodeGroupObservation extends NodeGroupShape {
    /** Hourly GPU and GPU-memory utilisation per instance over the period. */
    gpuUtilization: Series[];
    gpuMemoryUtilization: Series[];
}

export interface NodeGroupUsage {
    name: string;
    team: string;
    gpu?: Summary;
    gpuMemory?: Summary;
    /** Most nodes reporting at once, and the average over the hours any reported. */
    peakNodes: number;
    averageNodes: number;
    gpusPerNode: number;
    /** GPUs the p95 load needs: ceil(p95 % × peak nodes × GPUs per node). */
    demandGpus: number;
}

export interface Recommendation {
    nodeGroup: string;
    team: string;
    kind: "smaller-instance-type" | "lower-max-size" | "move-to-spot";
    detail: string;
    /** Monthly saving at the observed average size (USD). */
    monthlySavingUsd: number;
    /** For lower-max-size: how much less the group can cost at max scale (USD). */
    maxScaleReductionUsd?: number;
}

function dearest(types: readonly string[]): InstanceFacts | undefined {
    return types.map((t) => INSTANCE_TYPES.get(t)).filter((f): f is InstanceFacts => !!f)
        .sort((a, b) => b.usEast1UsdPerHour - a.usEast1UsdPerHour)[0];
}

export function usageOf(g: NodeGroupObservation): NodeGroupUsage {
    const util = groupSeries(g.gpuUtilization);
    const mem = groupSeries(g.gpuMemoryUtilization);
    const gpusPerNode = Math.max(0, ...g.instanceTypes.map((t) => INSTANCE_TYPES.get(t)?.gpus ?? 0));
    const peakNodes = util.nodes.length > 0 ? Math.max(...util.nodes) : 0;
    const averageNodes = util.nodes.length > 0 ? util.nodes.reduce((a, b) => a + b, 0) / util.nodes.length : 0;
    const gpu = summarize(util.average);
    return {
        name: g.name, team: g.team, gpu, gpuMemory: summarize(mem.average), peakNodes, averageNodes, gpusPerNode,
        demandGpus: gpu ? Math.ceil((gpu.p95 / 100) * peakNodes * gpusPerNode) : 0,
    };
}

/** A GPU group with nodes running and p95 GPU utilisation under ZOMBIE_GPU_P95 % all period. */
export function isZombieGroup(u: NodeGroupUsage): boolean {
    return u.averageNodes > 0 && u.gpu !== undefined && u.gpu.p95 < ZOMBIE_GPU_P95;
}

function hourly(type: string, region: string, capacity: NodeGroupObservation["capacity"], spot: Readonly<Record<string, number>>): number | undefined {
    const od = onDemandHourly(type, region);
    if (od === undefined) return undefined;
    if (capacity === "ON_DEMAND") return od;
    const d = spotDiscount(type, spot);
    return d === undefined ? undefined : od * (1 - d);
}

export interface RecommendOptions {
    region: string;
    spotDiscount?: Readonly<Record<string, number>>;
    /** Whether moving to spot is acceptable (outside prod, or a batch-tier team). */
    spotAllowed: boolean;
}

/**
 * What to change, with the saving it brings: a cheaper catalog type with the same GPU count and enough GPU
 * memory for the p95 need plus 25 %, a maxSize just above the observed peak, or spot where allowed.
 */
export function recommend(g: NodeGroupObservation, u: NodeGroupUsage, opts: RecommendOptions): Recommendation[] {
    const out: Recommendation[] = [];
    const current = dearest(g.instanceTypes);
    if (!current) return out;
    const spot = opts.spotDiscount ?? {};
    const price = hourly(current.name, opts.region, g.capacity, spot);
    if (price === undefined) return out;
    const perNodeMonth = price * HOURS_PER_MONTH;

    if (u.gpuMemory && current.gpuMemoryGiB) {
        const neededGiB = (u.gpuMemory.p95 / 100) * current.gpuMemoryGiB * GPU_MEMORY_HEADROOM;
        const candidates = [...INSTANCE_TYPES.values()]
            .filter((t) => t.gpus === current.gpus && t.architecture === current.architecture && (t.gpuMemoryGiB ?? 0) >= neededGiB && t.name !== current.name)
            .map((t) => ({ t, price: hourly(t.name, opts.region, g.capacity, spot) }))
            .filter((c): c is { t: InstanceFacts; price: number } => c.price !== undefined && c.price < price)
            .sort((a, b) => a.price - b.price);
        if (candidates.length > 0) {
            const best = candidates[0];
            out.push({
                nodeGroup: g.name, team: g.team, kind: "smaller-instance-type",
                detail: `${current.name} -> ${best.t.name}: p95 GPU memory ${u.gpuMemory.p95.toFixed(1)} % of ${current.gpuMemoryGiB} GiB needs ${neededGiB.toFixed(1)} GiB with headroom; ${best.t.name} has ${best.t.gpuMemoryGiB} GiB`,
                monthlySavingUsd: round((price - best.price) * HOURS_PER_MONTH * u.averageNodes),
            });
        }
    }
    const suggestedMax = Math.max(1, u.peakNodes + 1);
    if (u.gpu && suggestedMax < g.maxSize) {
        out.push({
            nodeGroup: g.name, team: g.team, kind: "lower-max-size",
            detail: `maxSize ${g.maxSize} -> ${suggestedMax}: at most ${u.peakNodes} node(s) ran at once in the period`,
            monthlySavingUsd: 0,
            maxScaleReductionUsd: round((g.maxSize - suggestedMax) * perNodeMonth),
        });
    }
    if (g.capacity === "ON_DEMAND" && opts.spotAllowed) {
        const d = spotDiscount(current.name, spot);
        if (d !== undefined) {
            out.push({
                nodeGroup: g.name, team: g.team, kind: "move-to-spot",
                detail: `${current.name} on spot at the assumed ${Math.round(d * 100)} % discount; list several interchangeable types`,
                monthlySavingUsd: round(price * d * HOURS_PER_MONTH * u.averageNodes),
            });
        }
    }
    return out;
}


/** Monthly cost a running group wastes when idle: its average node count at its price. */
export function idleGroupWaste(g: NodeGroupObservation, u: NodeGroupUsage, region: string, spot: Readonly<Record<string, number>> = {}): number | undefined {
    const current = dearest(g.instanceTypes);
    const price = current ? hourly(current.name, region, g.capacity, spot) : undefined;
    return price === undefined ? undefined : round(price * HOURS_PER_MONTH * u.averageNodes);
}
