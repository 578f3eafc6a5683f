/**
 * The one source of instance facts and prices. Components (AMI choice, labels, validation), policies
 * (quotas, allowlists, cost) and the offline plan's estimator all read from here, so a price or a GPU
 * count is never typed twice.
 *
 * Prices are AWS public on-demand list prices (Linux, shared tenancy) recorded for us-east-1 on
 * PRICES_AS_OF. us-west-2 lists the same prices for these families; eu-west-1 is derived from us-east-1
 * with the ratio the g4dn and g5 families show (1.116). They are planning figures, not a bill: refresh
 * them from the AWS Price List API when they age, and override spot discounts per stack
 * (`ai-infra:pricing`).
 */

export const PRICES_AS_OF = "2025-10-01";
export const CURRENCY = "USD";
export const HOURS_PER_MONTH = 730;

/** Money rounded to cents, as every estimate and saving is reported. */
export function roundCents(n: number): number {
    return Math.round(n * 100) / 100;
}

/** `$1,234.50`: how every report and policy message shows money. */
// One formatter: `toLocaleString` with options builds a new Intl.NumberFormat on every call, and reports
// format thousands of figures.
const USD_FORMAT = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function formatUsd(n: number): string {
    return `$${USD_FORMAT.format(n)}`;
}

export type Architecture = "x86_64" | "arm64";

/** Regions the catalog has prices for, with the factor applied to the us-east-1 list price. */
export const REGION_PRICE_FACTORS: Readonly<Record<string, number>> = {
    "us-east-1": 1,
    "us-west-2": 1,
    "eu-west-1": 1.116,
};

export interface InstanceFacts {
    readonly name: string;
    /** The part before the dot: `g5` for `g5.xlarge`; spot discounts are per family. */
    readonly family: string;
    readonly vcpu: number;
    readonly memoryGiB: number;
    /** 0 for general-purpose types (system nodes). */
    readonly gpus: number;
    readonly gpuModel?: string;
    /**
     * Usable memory of one GPU in GiB as EC2 DescribeInstanceTypes reports it (GpuInfo MemoryInMiB / 1024,
     * e.g. 22888 MiB for A10G and L4, 45776 MiB for L40S; Karpenter's instance-types reference), not the
     * marketing "24 GB"/"48 GB".
     */
    readonly gpuMemoryGiB?: number;
    readonly architecture: Architecture;
    /** us-east-1 on-demand list price. */
    readonly usEast1UsdPerHour: number;
}

type Row = [name: string, vcpu: number, memoryGiB: number, gpus: number, usdPerHour: number];

function family(
    rows: Row[],
    gpu: { model: string; memoryGiB: number } | undefined,
    architecture: Architecture,
): InstanceFacts[] {
    return rows.map(([name, vcpu, memoryGiB, gpus, usdPerHour]) => ({
        name,
        family: name.split(".")[0],
        vcpu,
        memoryGiB,
        gpus,
        ...(gpu ? { gpuModel: gpu.model, gpuMemoryGiB: gpu.memoryGiB } : {}),
        architecture,
        usEast1UsdPerHour: usdPerHour,
    }));
}

const INSTANCE_LIST: InstanceFacts[] = [
    ...family([
        ["g4dn.xlarge", 4, 16, 1, 0.526],
        ["g4dn.2xlarge", 8, 32, 1, 0.752],
        ["g4dn.4xlarge", 16, 64, 1, 1.204],
        ["g4dn.8xlarge", 32, 128, 1, 2.176],
        ["g4dn.12xlarge", 48, 192, 4, 3.912],
        ["g4dn.16xlarge", 64, 256, 1, 4.352],
        ["g4dn.metal", 96, 384, 8, 7.824],
    ], { model: "NVIDIA T4", memoryGiB: 16 }, "x86_64"),
    ...family([
        ["g5g.xlarge", 4, 8, 1, 0.42],
        ["g5g.2xlarge", 8, 16, 1, 0.556],
        ["g5g.4xlarge", 16, 32, 1, 0.828],
        ["g5g.8xlarge", 32, 64, 1, 1.372],
        ["g5g.16xlarge", 64, 128, 2, 2.744],
    ], { model: "NVIDIA T4G", memoryGiB: 16 }, "arm64"),
    ...family([
        ["g5.xlarge", 4, 16, 1, 1.006],
        ["g5.2xlarge", 8, 32, 1, 1.212],
        ["g5.4xlarge", 16, 64, 1, 1.624],
        ["g5.8xlarge", 32, 128, 1, 2.448],
        ["g5.12xlarge", 48, 192, 4, 5.672],
        ["g5.16xlarge", 64, 256, 1, 4.096],
        ["g5.24xlarge", 96, 384, 4, 8.144],
        ["g5.48xlarge", 192, 768, 8, 16.288],
    ], { model: "NVIDIA A10G", memoryGiB: 22.35 }, "x86_64"),
    ...family([
        ["g6.xlarge", 4, 16, 1, 0.8048],
        ["g6.2xlarge", 8, 32, 1, 0.9776],
        ["g6.4xlarge", 16, 64, 1, 1.3232],
        ["g6.8xlarge", 32, 128, 1, 2.0144],
        ["g6.12xlarge", 48, 192, 4, 4.6016],
        ["g6.16xlarge", 64, 256, 1, 3.3968],
        ["g6.24xlarge", 96, 384, 4, 6.6752],
        ["g6.48xlarge", 192, 768, 8, 13.3504],
    ], { model: "NVIDIA L4", memoryGiB: 22.35 }, "x86_64"),
    ...family([
        ["g6e.xlarge", 4, 32, 1, 1.861],
        ["g6e.2xlarge", 8, 64, 1, 2.24208],
        ["g6e.4xlarge", 16, 128, 1, 3.00424],
        ["g6e.8xlarge", 32, 256, 1, 4.52856],
        ["g6e.12xlarge", 48, 384, 4, 10.49264],
        ["g6e.16xlarge", 64, 512, 1, 7.57719],
        ["g6e.24xlarge", 96, 768, 4, 15.06559],
        ["g6e.48xlarge", 192, 1536, 8, 30.13118],
    ], { model: "NVIDIA L40S", memoryGiB: 44.7 }, "x86_64"),
    ...family([["p4d.24xlarge", 96, 1152, 8, 21.96]], { model: "NVIDIA A100", memoryGiB: 40 }, "x86_64"),
    ...family([["p5.48xlarge", 192, 2048, 8, 55.04]], { model: "NVIDIA H100", memoryGiB: 80 }, "x86_64"),
    // General-purpose types for the system node group (CoreDNS, the gateway, controllers).
    ...family([
        ["m7i.large", 2, 8, 0, 0.1008],
        ["m7i.xlarge", 4, 16, 0, 0.2016],
        ["m7i.2xlarge", 8, 32, 0, 0.4032],
    ], undefined, "x86_64"),
    ...family([
        ["m7g.large", 2, 8, 0, 0.0816],
        ["m7g.xlarge", 4, 16, 0, 0.1632],
        ["m7g.2xlarge", 8, 32, 0, 0.3264],
    ], undefined, "arm64"),
];

export const INSTANCE_TYPES: ReadonlyMap<string, InstanceFacts> = new Map(INSTANCE_LIST.map((t) => [t.name, t]));

/**
 * Assumed spot discount off on-demand, per family: the long-run average AWS's Spot Instance Advisor
 * showed for these families in us-east-1. Spot prices move hourly; this is a planning assumption that
 * a stack can override with `ai-infra:pricing.spotDiscount`.
 */
export const DEFAULT_SPOT_DISCOUNT: Readonly<Record<string, number>> = {
    g4dn: 0.65,
    g5g: 0.6,
    g5: 0.6,
    g6: 0.6,
    g6e: 0.55,
    p4d: 0.6,
    p5: 0.5,
    m7i: 0.6,
    m7g: 0.6,
};

export interface CacheNodeFacts {
    readonly name: string;
    readonly vcpu: number;
    readonly memoryGiB: number;
    /** Valkey node-based list price in us-east-1 (20 % below Redis OSS). */
    readonly usEast1UsdPerHour: number;
}

const CACHE_LIST: CacheNodeFacts[] = [
    { name: "cache.t4g.micro", vcpu: 2, memoryGiB: 0.5, usEast1UsdPerHour: 0.0128 },
    { name: "cache.t4g.small", vcpu: 2, memoryGiB: 1.37, usEast1UsdPerHour: 0.0256 },
    { name: "cache.t4g.medium", vcpu: 2, memoryGiB: 3.09, usEast1UsdPerHour: 0.052 },
    { name: "cache.m7g.large", vcpu: 2, memoryGiB: 6.38, usEast1UsdPerHour: 0.1264 },
    { name: "cache.m7g.xlarge", vcpu: 4, memoryGiB: 12.93, usEast1UsdPerHour: 0.2528 },
    { name: "cache.r7g.large", vcpu: 2, memoryGiB: 13.07, usEast1UsdPerHour: 0.1752 },
    { name: "cache.r7g.xlarge", vcpu: 4, memoryGiB: 26.32, usEast1UsdPerHour: 0.3496 },
];

export const CACHE_NODE_TYPES: ReadonlyMap<string, CacheNodeFacts> = new Map(CACHE_LIST.map((t) => [t.name, t]));

/** Prices of the non-instance items the estimator counts, us-east-1 list. */
export const UNIT_PRICES = {
    eksControlPlaneStandardPerHour: 0.1,
    eksControlPlaneExtendedPerHour: 0.6,
    natGatewayPerHour: 0.045,
    nlbPerHour: 0.0225,
    publicIpv4PerHour: 0.005,
    kmsKeyPerMonth: 1,
    gp3PerGiBMonth: 0.08,
    alarmStandardPerMonth: 0.1,
    alarmCompositePerMonth: 0.5,
    dashboardPerMonth: 3,
    secretPerMonth: 0.4,
    /** $0.10 a day per action-enabled budget. */
    budgetActionPerMonth: 0.1 * HOURS_PER_MONTH / 24,
} as const;

/** EBS storage per GiB-month by volume type, us-east-1 list (IOPS and throughput above baseline not included). */
export const EBS_PER_GIB_MONTH: Readonly<Record<string, number>> = { gp3: 0.08, gp2: 0.1, io1: 0.125, io2: 0.125, st1: 0.045, sc1: 0.015, standard: 0.05 };

export function instanceFacts(name: string): InstanceFacts | undefined {
    return INSTANCE_TYPES.get(name);
}

export function isGpuInstance(name: string): boolean {
    return (INSTANCE_TYPES.get(name)?.gpus ?? 0) > 0;
}

export function regionPriceFactor(region: string): number | undefined {
    return REGION_PRICE_FACTORS[region];
}

/** On-demand hourly price, or undefined when the type or the region is not in the catalog. */
export function onDemandHourly(instanceType: string, region: string): number | undefined {
    const facts = INSTANCE_TYPES.get(instanceType);
    const factor = regionPriceFactor(region);
    return facts && factor !== undefined ? facts.usEast1UsdPerHour * factor : undefined;
}

export function cacheNodeHourly(nodeType: string, region: string): number | undefined {
    const facts = CACHE_NODE_TYPES.get(nodeType);
    const factor = regionPriceFactor(region);
    return facts && factor !== undefined ? facts.usEast1UsdPerHour * factor : undefined;
}

/** Spot discount for a type's family: the stack's override first, then the catalog default. */
export function spotDiscount(instanceType: string, overrides: Readonly<Record<string, number>> = {}): number | undefined {
    const fam = instanceType.split(".")[0];
    return overrides[fam] ?? DEFAULT_SPOT_DISCOUNT[fam];
}
