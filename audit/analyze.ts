import { HOURS_PER_MONTH, INSTANCE_TYPES, InstanceFacts, onDemandHourly, roundCents as round, spotDiscount } from "../components/catalog";
import { gpuTflops } from "./gpuCompute";
import { groupSeries, peakOf, Series, Summary, summarize, sumByTime } from "./stats";

/** A node-hour whose Maximum GPU utilisation reaches this is doing work (a 1-minute burst counts). */
export const IDLE_GPU_PEAK = 2;
/**
 * A node-hour whose Maximum GPU memory use reaches this has something resident (a loaded model: vLLM
 * reserves 90 % at start, DESIGN.md), so light traffic on it is not idleness.
 */
export const IDLE_GPU_MEMORY = 5;
/** Headroom kept on GPU memory and compute when proposing a smaller type. */
export const HEADROOM = 1.25;

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

/** Hourly Container Insights series per instance (series id = InstanceId) over the audit window. */
export interface NodeGroupObservation extends NodeGroupShape {
    windowHours: number;
    /** node_gpu_utilization, hourly Average and hourly Maximum. */
    gpuUtilization: Series[];
    gpuUtilizationMax: Series[];
    /** node_gpu_memory_utilization, hourly Maximum. */
    gpuMemoryMax: Series[];
    /** node_gpu_usage_total ("GPUs used by the running pods on the node"), hourly Maximum; empty when not published. */
    gpusAllocated: Series[];
    /** Why the metric data is not whole (non-Complete status, CloudWatch messages, possible missing nodes). */
    incomplete: string[];
}

export interface NodeGroupUsage {
    name: string;
    team: string;
    /** Cross-node mean of hourly averages, over the hours with data. */
    gpu?: Summary;
    /** Largest hourly Maximum of any node: GPU utilisation and GPU memory (%). */
    peakGpuUtilization?: number;
    peakGpuMemory?: number;
    /** Largest hourly Average of any single node (sustained compute need). */
    busiestNodeHour?: number;
    /** Most GPUs pods held at once (node_gpu_usage_total), when published. */
    peakAllocatedGpus?: number;
    windowHours: number;
    hoursWithData: number;
    /** Σ nodes reporting per hour: hours without data are neither zero nodes nor spend. */
    nodeHours: number;
    /** nodeHours / windowHours: the average size that was paid for. */
    averageNodes: number;
    peakNodes: number;
    instancesSeen: number;
    gpusPerNode: number;
    /** Whole GPUs in use at the busiest hour: GPUs pods held, or every GPU of a node that worked that hour. */
    demandGpus: number;
    demandSource: "allocated" | "active-nodes";
    incomplete: string[];
}

const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

function dearest(types: readonly string[]): InstanceFacts | undefined {
    return types.map((t) => INSTANCE_TYPES.get(t)).filter((f): f is InstanceFacts => !!f)
        .sort((a, b) => b.usEast1UsdPerHour - a.usEast1UsdPerHour)[0];
}

/** Per timestamp, how many nodes did work (peak utilisation or memory at or above the idle thresholds). */
function activeNodesByHour(g: NodeGroupObservation): Map<number, number> {
    const active = new Map<number, Set<string>>();
    const mark = (series: Series[], threshold: number) => {
        for (const s of series) s.timestamps.forEach((t, i) => {
            const v = s.values[i];
            if (finite(v) && v >= threshold) active.set(t, (active.get(t) ?? new Set<string>()).add(s.id));
        });
    };
    mark(g.gpuUtilizationMax, IDLE_GPU_PEAK);
    mark(g.gpuMemoryMax, IDLE_GPU_MEMORY);
    return new Map([...active].map(([t, ids]) => [t, ids.size]));
}

export function usageOf(g: NodeGroupObservation): NodeGroupUsage {
    const util = groupSeries(g.gpuUtilization);
    const gpusPerNode = Math.max(0, ...g.instanceTypes.map((t) => INSTANCE_TYPES.get(t)?.gpus ?? 0));
    const nodeHours = util.nodes.reduce((a, b) => a + b, 0);
    const allocated = [...sumByTime(g.gpusAllocated).values()];
    const active = [...activeNodesByHour(g).values()];
    const hourlyAverages = g.gpuUtilization.flatMap((s) => s.values.filter(finite));
    return {
        name: g.name, team: g.team,
        gpu: summarize(util.average),
        peakGpuUtilization: peakOf(g.gpuUtilizationMax) ?? peakOf(g.gpuUtilization),
        peakGpuMemory: peakOf(g.gpuMemoryMax),
        busiestNodeHour: hourlyAverages.length > 0 ? Math.max(...hourlyAverages) : undefined,
        peakAllocatedGpus: allocated.length > 0 ? Math.max(...allocated) : undefined,
        windowHours: g.windowHours,
        hoursWithData: util.times.length,
        nodeHours,
        averageNodes: g.windowHours > 0 ? nodeHours / g.windowHours : 0,
        peakNodes: util.nodes.length > 0 ? Math.max(...util.nodes) : 0,
        instancesSeen: new Set(g.gpuUtilization.filter((s) => s.values.some(finite)).map((s) => s.id)).size,
        gpusPerNode,
        // Pods request whole GPUs (nvidia.com/gpu: 1), so demand is counted in GPUs, never in utilisation.
        demandGpus: allocated.length > 0 ? Math.ceil(Math.max(...allocated)) : Math.max(0, ...active) * gpusPerNode,
        demandSource: allocated.length > 0 ? "allocated" : "active-nodes",
        incomplete: g.incomplete,
    };
}

export type VerdictKind = "idle" | "idle-serving-capacity" | "busy" | "scaled-to-zero" | "unknown";

/** What the audit concludes about a group, and the exact rule that fired (printed as is). */
export interface Verdict {
    kind: VerdictKind;
    rule: string;
}

const pct = (n: number | undefined) => (n === undefined ? "-" : `${n.toFixed(1)} %`);

/**
 * The idle rule, in order: incomplete data → unknown; desired 0 today → already scaled to zero; no data
 * while nodes are desired → unknown; any node-hour with peak GPU utilisation ≥ 2 %, GPU memory ≥ 5 % or a
 * GPU held by a pod → busy; otherwise idle by every metric, which makes a zombie only for a group that
 * is neither production tier nor kept warm by minSize > 0 (those are right-sizing candidates).
 */
export function verdictOf(g: NodeGroupShape, u: NodeGroupUsage, productionTier: boolean): Verdict {
    if (u.incomplete.length > 0) return { kind: "unknown", rule: `metric data incomplete (${u.incomplete.join("; ")}): not judged` };
    if (g.desiredSize === 0) return { kind: "scaled-to-zero", rule: "desired size 0 today: already scaled to zero" };
    if (u.hoursWithData === 0) return { kind: "unknown", rule: `${g.desiredSize} node(s) desired but no GPU metrics in the window: is Container Insights with GPU metrics enabled?` };
    if (u.peakGpuUtilization !== undefined && u.peakGpuUtilization >= IDLE_GPU_PEAK) return { kind: "busy", rule: `GPU utilisation peaked at ${pct(u.peakGpuUtilization)} (hourly Maximum >= ${IDLE_GPU_PEAK} %)` };
    if (u.peakGpuMemory !== undefined && u.peakGpuMemory >= IDLE_GPU_MEMORY) return { kind: "busy", rule: `GPU memory peaked at ${pct(u.peakGpuMemory)} (>= ${IDLE_GPU_MEMORY} %): a model is resident` };
    if (u.peakAllocatedGpus !== undefined && u.peakAllocatedGpus > 0) return { kind: "busy", rule: `pods held up to ${u.peakAllocatedGpus} GPU(s)` };
    const rule = `every node-hour's peak GPU utilisation < ${IDLE_GPU_PEAK} % (max ${pct(u.peakGpuUtilization)}) and GPU memory < ${IDLE_GPU_MEMORY} % (max ${pct(u.peakGpuMemory)}) in all ${u.hoursWithData} hour(s) with data of ${u.windowHours}, `
        + (u.peakAllocatedGpus === undefined ? "GPU allocation not published" : "no pod held a GPU");
    if (productionTier) return { kind: "idle-serving-capacity", rule: `${rule}; production-tier team: a right-sizing candidate, never scaled down by the audit` };
    if (g.minSize > 0) return { kind: "idle-serving-capacity", rule: `${rule}; minSize ${g.minSize} keeps it warm on purpose: a right-sizing candidate (lower minSize in the stack if it is not needed)` };
    return { kind: "idle", rule };
}

function hourly(type: string, region: string, capacity: NodeGroupShape["capacity"], spot: Readonly<Record<string, number>>): number | undefined {
    const od = onDemandHourly(type, region);
    if (od === undefined) return undefined;
    if (capacity === "ON_DEMAND") return od;
    const d = spotDiscount(type, spot);
    return d === undefined ? undefined : od * (1 - d);
}

/** The group's price per node-hour at its dearest listed type, on its capacity type. */
export function nodeHourPrice(g: NodeGroupShape, region: string, spot: Readonly<Record<string, number>> = {}): number | undefined {
    const current = dearest(g.instanceTypes);
    return current ? hourly(current.name, region, g.capacity, spot) : undefined;
}

/** What the group cost per month at the node-hours it actually ran (hours without data cost nothing). */
export function monthlyCost(g: NodeGroupShape, u: NodeGroupUsage, region: string, spot: Readonly<Record<string, number>> = {}): number | undefined {
    const price = nodeHourPrice(g, region, spot);
    return price === undefined ? undefined : round(price * HOURS_PER_MONTH * u.averageNodes);
}

export interface Recommendation {
    nodeGroup: string;
    team: string;
    kind: "smaller-instance-type" | "lower-max-size" | "move-to-spot" | "review-idle-capacity";
    detail: string;
    /** Monthly saving at the node-hours actually run (USD). One group's savings exclude each other. */
    monthlySavingUsd: number;
    /** For lower-max-size: how much less the group can cost at max scale (USD). */
    maxScaleReductionUsd?: number;
}

export interface RecommendOptions {
    region: string;
    spotDiscount?: Readonly<Record<string, number>>;
    /** Whether moving to spot is acceptable (outside prod, or a batch-tier team). */
    spotAllowed: boolean;
    /** Whether a type may be proposed: the environment's `gpu-instance-allowlist`. Default: any catalog type. */
    typeAllowed?: (instanceType: string) => boolean;
}

/**
 * A cheaper type with the same GPU count that holds the largest per-node GPU memory use and the busiest
 * node-hour's compute, each with 25 % headroom. The node-level memory figure is the mean over the node's
 * GPUs, so on a multi-GPU node one GPU may hold all of it: the need per GPU is min(100 %, use × GPUs).
 */
function smallerType(g: NodeGroupShape, u: NodeGroupUsage, current: InstanceFacts, price: number, opts: RecommendOptions): Recommendation | undefined {
    const spot = opts.spotDiscount ?? {};
    const tflops = gpuTflops(current.gpuModel);
    if (u.peakGpuMemory === undefined || u.busiestNodeHour === undefined || !current.gpuMemoryGiB || tflops === undefined) return undefined;
    const perGpuMemoryPct = Math.min(100, u.peakGpuMemory * current.gpus);
    const neededGiB = (perGpuMemoryPct / 100) * current.gpuMemoryGiB * HEADROOM;
    const neededTflops = tflops * (u.busiestNodeHour / 100) * HEADROOM;
    const best = [...INSTANCE_TYPES.values()]
        .filter((t) => t.name !== current.name && t.gpus === current.gpus && t.architecture === current.architecture && (opts.typeAllowed?.(t.name) ?? true)
            && (t.gpuMemoryGiB ?? 0) >= neededGiB && (gpuTflops(t.gpuModel) ?? 0) >= neededTflops)
        .map((t) => ({ t, price: hourly(t.name, opts.region, g.capacity, spot) }))
        .filter((c): c is { t: InstanceFacts; price: number } => c.price !== undefined && c.price < price)
        .sort((a, b) => a.price - b.price)[0];
    if (!best) return undefined;
    return {
        nodeGroup: g.name, team: g.team, kind: "smaller-instance-type",
        detail: `${current.name} -> ${best.t.name}: largest per-node GPU memory use ${pct(u.peakGpuMemory)} of ${current.gpuMemoryGiB} GiB needs ${neededGiB.toFixed(1)} GiB per GPU with headroom (${best.t.name} has ${best.t.gpuMemoryGiB} GiB); `
            + `busiest node-hour ${pct(u.busiestNodeHour)} of a ${current.gpuModel} (${tflops} TFLOPS) needs ${neededTflops.toFixed(0)} TFLOPS (${best.t.gpuModel} has ${gpuTflops(best.t.gpuModel)})`
            // Host CPU and memory are not measured here: say when the proposal shrinks them.
            + (best.t.vcpu < current.vcpu || best.t.memoryGiB < current.memoryGiB ? `; host shrinks to ${best.t.vcpu} vCPU / ${best.t.memoryGiB} GiB (now ${current.vcpu} / ${current.memoryGiB}): check the pods' CPU and memory requests first` : ""),
        monthlySavingUsd: round((price - best.price) * HOURS_PER_MONTH * u.averageNodes),
    };
}

/** What to change for a group, given its verdict; every saving is priced on the node-hours actually run. */
export function recommend(g: NodeGroupShape, u: NodeGroupUsage, verdict: Verdict, opts: RecommendOptions): Recommendation[] {
    const current = dearest(g.instanceTypes);
    const spot = opts.spotDiscount ?? {};
    const price = current ? hourly(current.name, opts.region, g.capacity, spot) : undefined;
    if (!current || price === undefined || verdict.kind === "unknown" || verdict.kind === "idle") return [];
    if (verdict.kind === "idle-serving-capacity") {
        return [{ nodeGroup: g.name, team: g.team, kind: "review-idle-capacity", detail: verdict.rule, monthlySavingUsd: round(price * HOURS_PER_MONTH * u.averageNodes) }];
    }
    const out: Recommendation[] = [];
    if (verdict.kind === "busy") {
        const smaller = smallerType(g, u, current, price, opts);
        if (smaller) out.push(smaller);
    }
    const suggestedMax = Math.max(1, g.minSize, u.peakNodes + 1);
    if (u.gpu && suggestedMax < g.maxSize) {
        out.push({
            nodeGroup: g.name, team: g.team, kind: "lower-max-size",
            detail: `maxSize ${g.maxSize} -> ${suggestedMax}: at most ${u.peakNodes} node(s) reported at once in the period (${u.instancesSeen} distinct node(s) seen in the metrics)`,
            monthlySavingUsd: 0,
            maxScaleReductionUsd: round((g.maxSize - suggestedMax) * price * HOURS_PER_MONTH),
        });
    }
    if (verdict.kind === "busy" && g.capacity === "ON_DEMAND" && opts.spotAllowed) {
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

/**
 * A team's possible saving: per group only the best single recommendation, since they act on the same
 * node-hours (a smaller type and spot on one group are alternatives, not two savings), summed over groups.
 */
export function teamSavings(recommendations: readonly Recommendation[]): Record<string, number> {
    const best = new Map<string, { team: string; saving: number }>();
    for (const r of recommendations) {
        const key = `${r.team}\u0000${r.nodeGroup}`;
        if (r.monthlySavingUsd > (best.get(key)?.saving ?? 0)) best.set(key, { team: r.team, saving: r.monthlySavingUsd });
    }
    const out: Record<string, number> = {};
    for (const { team, saving } of best.values()) out[team] = round((out[team] ?? 0) + saving);
    return out;
}
