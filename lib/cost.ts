import {
    cacheNodeHourly, CURRENCY, formatUsd, HOURS_PER_MONTH, onDemandHourly, PRICES_AS_OF, regionPriceFactor, roundCents as round, spotDiscount, UNIT_PRICES,
} from "../components/catalog";
import { controlPlaneMonth } from "../components/controlPlaneCost";
import { todayUtc } from "../components/eksVersions";
import { Capacity, CapacityResource, computeCapacity } from "../components/gpuCapacity";
import { averageNodes, isReplayable, ScheduleWindow } from "../components/scheduleHours";
import { resolveRegion, resolveTeam } from "../components/tagResolution";
import { PLATFORM_TEAM } from "../components/tags";
import { isTaggableAwsType } from "./taggable";
import { maxMonthlyModelSpend, MINUTES_PER_MONTH, quotasOf } from "../components/modelSpend";

/**
 * Monthly cost of a set of declared resources, from the catalog. The same function prices the offline
 * plan and the `cost-within-budget` policy, so a PR comment and a policy verdict never disagree.
 *
 * min / expected / max price node groups at their min / desired / max sizes; fixed items (control plane,
 * NAT gateways, cache nodes, alarms...) cost the same in all three. A node group is priced at the most
 * expensive of its instance types, spot at the catalog's (or the stack's) discount: whatever mix the
 * allocation strategy picks, the bill stays at or under the estimate.
 */

export interface CostResource {
    urn: string;
    type: string;
    props: Record<string, unknown>;
    /** URNs this resource depends on: how a node group finds its launch template (ids are unknown in a preview). */
    dependencies?: readonly string[];
    /** Its provider's props: default tags count toward its team, and its `region` prices it. */
    providerProps?: unknown;
    name?: string;
}

export interface Range {
    min: number;
    expected: number;
    max: number;
}

export interface CostLine {
    team: string;
    urn: string;
    kind: string;
    description: string;
    monthly: Range;
    /** Why a line could not be priced (unknown region or type); its monthly figures are then 0. */
    unpriced?: string;
    /** Node groups: what the naive savings baseline (plan/savings.ts) prices instead of the line's figures. */
    naive?: NaiveCapacity;
}

/** A node group's capacity as the naive baseline sees it: `maxSize` nodes on-demand, always on. */
export interface NaiveCapacity {
    maxSize: number;
    /** On-demand hourly price of the dearest listed instance type, in the line's region. */
    onDemandHourly: number;
    /** Per-node storage, the same in the baseline as in the estimate. */
    storageMonthlyPerNode: number;
}

export interface TeamCost extends Range {
    budget?: number;
}

export interface CostEstimate {
    currency: string;
    region: string;
    pricesAsOf: string;
    monthly: Range;
    byTeam: Record<string, TeamCost>;
    lines: CostLine[];
    /** What the estimate cannot price, said out loud. */
    warnings: string[];
    /** Usage-based charges the estimate leaves out by design. */
    notEstimated: string[];
}

export interface EstimateOptions {
    /** The stack's region: prices resources whose provider names none. */
    region: string;
    /** Stack overrides of the spot discount per family. */
    spotDiscount?: Readonly<Record<string, number>>;
    /** Monthly budget per team, shown beside its figures. */
    budgets?: Readonly<Record<string, number>>;
    /** First day of the month priced (extended-support hours start at a version's end of standard support). Default: today (UTC). */
    asOf?: Date;
}

export const NOT_ESTIMATED = [
    "data transfer and NAT gateway per-GB processing",
    "CloudWatch Logs ingestion and storage (control-plane logs)",
    "NLB capacity units, EBS snapshots and load balancers created outside this program",
];

const UNATTRIBUTED = "unattributed";
const flat = (n: number): Range => ({ min: n, expected: n, max: n });

function record(v: unknown): Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : {};
}

function num(v: unknown, fallback = 0): number {
    return typeof v === "number" && Number.isFinite(v) ? v : fallback;
}

/**
 * Who pays for a line: its `team` tag (or Kubernetes label). Resources AWS cannot tag (a dashboard) are
 * shared infrastructure and go to the platform; a taggable resource without a team is "unattributed",
 * which the chargeback-tags policy already refuses.
 */
export function teamOf(r: CostResource): string {
    const team = resolveTeam(r.props, r.providerProps, r.type);
    if (team !== undefined) return team;
    return r.type.startsWith("aws:") && !isTaggableAwsType(r.type) ? PLATFORM_TEAM : UNATTRIBUTED;
}

interface Priced {
    kind: string;
    description: string;
    monthly?: Range;
    unpriced?: string;
    naive?: NaiveCapacity;
}

type Pricer = (r: CostResource, ctx: Context) => Priced | undefined;

interface Context {
    region: string;
    factor: number | undefined;
    spotDiscount: Readonly<Record<string, number>>;
    /** Compute capacity by URN: node groups, Auto Scaling groups and EC2 instances with their resolved types. */
    capacity: Map<string, Capacity>;
    asOf: Date;
    /** Auto Scaling schedules by the URN of the node group whose group they act on (found through dependencies). */
    schedules: Map<string, ScheduleWindow[]>;
}

function regional(usd: number, ctx: Context): number | undefined {
    return ctx.factor === undefined ? undefined : usd * ctx.factor;
}

function fixedMonthly(kind: string, description: string, usdPerMonth: number, ctx: Context): Priced {
    const price = regional(usdPerMonth, ctx);
    return price === undefined
        ? { kind, description, unpriced: `no prices for region ${ctx.region}` }
        : { kind, description, monthly: flat(price) };
}

/**
 * Node groups, Auto Scaling groups and EC2 instances, whichever component declared them: types listed on
 * the resource, else its launch template's; priced at the dearest type so any allocation stays under it.
 */
function compute(r: CostResource, ctx: Context): Priced | undefined {
    const c = ctx.capacity.get(r.urn);
    if (!c) return undefined;
    const types = c.instanceTypes;
    const label = c.kind === "node-group" ? "node group" : c.kind === "autoscaling-group" ? "auto scaling group" : "EC2 instance";
    const sizes = c.kind === "instance" ? "" : `, ${c.minNodes}/${c.desiredNodes}/${c.maxNodes} nodes`;
    const description = `${label} ${c.name}: ${c.spot ? "spot" : "on-demand"} ${types.join("|") || "(no instance types)"}${c.typesFrom ? ` (from ${c.typesFrom})` : ""}${sizes}`;
    const kind = c.kind;
    if (types.length === 0) return { kind, description, unpriced: "no instance types listed" };
    let hourly = 0, dearestOnDemand = 0;
    for (const t of types) {
        const onDemand = onDemandHourly(t, ctx.region);
        if (onDemand === undefined) {
            return { kind, description, unpriced: regionPriceFactor(ctx.region) === undefined ? `no prices for region ${ctx.region}` : `instance type ${t} is not in the catalog` };
        }
        dearestOnDemand = Math.max(dearestOnDemand, onDemand);
        let price = onDemand;
        if (c.spot) {
            const discount = spotDiscount(t, ctx.spotDiscount);
            if (discount === undefined) return { kind, description, unpriced: `no spot discount for the ${t.split(".")[0]} family` };
            price = onDemand * (1 - discount);
        }
        hourly = Math.max(hourly, price);
    }
    const ebs = record(record(Array.isArray(c.template?.blockDeviceMappings) ? c.template?.blockDeviceMappings[0] : undefined).ebs);
    const rootEbs = record(Array.isArray(r.props.rootBlockDevice) ? r.props.rootBlockDevice[0] : r.props.rootBlockDevice);
    // Without a launch template EKS uses diskSize, default 20 GiB; an EC2 instance its root volume (8 GiB AMI default assumed).
    const diskGiB = c.kind === "instance" ? num(rootEbs.volumeSize, 8) : num(ebs.volumeSize, num(r.props.diskSize, 20));
    const storage = diskGiB * (regional(UNIT_PRICES.gp3PerGiBMonth, ctx) ?? 0);
    const perNode = hourly * HOURS_PER_MONTH + storage;
    const naive = { maxSize: c.maxNodes, onDemandHourly: dearestOnDemand, storageMonthlyPerNode: storage };
    const windows = ctx.schedules.get(r.urn) ?? [];
    if (windows.length > 0) {
        // Schedule-aware: node counts weighted by the hours each schedule's sizes are in force (components/scheduleHours.ts).
        const avg = averageNodes({ minSize: c.minNodes, maxSize: c.maxNodes, desiredSize: c.desiredNodes }, windows);
        const f = (n: number) => n.toFixed(2).replace(/\.?0+$/, "");
        return {
            kind, description: `${description}, ${diskGiB} GiB gp3 each; ${windows.length} schedule(s): hour-weighted ${f(avg.min)}/${f(avg.expected)}/${f(avg.max)} nodes`,
            monthly: { min: perNode * avg.min, expected: perNode * avg.expected, max: perNode * avg.max },
            naive,
        };
    }
    return { kind, description: `${description}, ${diskGiB} GiB gp3 each`, monthly: { min: perNode * c.minNodes, expected: perNode * c.desiredNodes, max: perNode * c.maxNodes }, naive };
}

function replicationGroup(r: CostResource, ctx: Context): Priced {
    const nodeType = String(r.props.nodeType ?? "");
    const shards = num(r.props.numNodeGroups, 1);
    const nodes = r.props.numCacheClusters !== undefined ? num(r.props.numCacheClusters, 1) : shards * (1 + num(r.props.replicasPerNodeGroup));
    const description = `cache ${nodeType} x ${nodes}`;
    const hourly = cacheNodeHourly(nodeType, ctx.region);
    if (hourly === undefined) {
        return { kind: "cache", description, unpriced: regionPriceFactor(ctx.region) === undefined ? `no prices for region ${ctx.region}` : `cache node type ${nodeType} is not in the catalog` };
    }
    return { kind: "cache", description, monthly: flat(hourly * HOURS_PER_MONTH * nodes) };
}

/**
 * CloudWatch bills an alarm per metric it evaluates: a metric-math alarm per input metric, a Metrics
 * Insights alarm per series its query reads (counted as one: the series are only known at run time).
 */
export function alarmMetricCount(props: Record<string, unknown>): number {
    const queries = Array.isArray(props.metricQueries) ? (props.metricQueries as Record<string, unknown>[]) : [];
    if (queries.length === 0) return 1;
    return queries.filter((q) => q.metric !== undefined || /^\s*SELECT\b/i.test(String(q.expression ?? ""))).length || 1;
}

const PRICERS: Readonly<Record<string, Pricer>> = {
    "aws:eks/nodeGroup:NodeGroup": compute,
    "aws:autoscaling/group:Group": compute,
    "aws:ec2/instance:Instance": compute,
    "aws:ec2/spotInstanceRequest:SpotInstanceRequest": compute,
    "aws:eks/cluster:Cluster": (r, ctx) => {
        const supportType = record(r.props.upgradePolicy).supportType;
        const month = controlPlaneMonth(typeof r.props.version === "string" ? r.props.version : undefined, typeof supportType === "string" ? supportType : undefined, ctx.asOf);
        const support = month.extendedHours === 0 ? "standard support" : `extended support ${Math.round(month.extendedHours)} of ${HOURS_PER_MONTH} h`;
        return fixedMonthly("control-plane", `EKS control plane ${r.props.version ?? ""} (${support})`, month.usd, ctx);
    },
    "aws:ec2/natGateway:NatGateway": (_r, ctx) => fixedMonthly("nat-gateway", "NAT gateway (hourly; per-GB processing not included)", UNIT_PRICES.natGatewayPerHour * HOURS_PER_MONTH, ctx),
    "aws:ec2/eip:Eip": (_r, ctx) => fixedMonthly("public-ipv4", "Elastic IP (public IPv4)", UNIT_PRICES.publicIpv4PerHour * HOURS_PER_MONTH, ctx),
    "aws:kms/key:Key": (_r, ctx) => fixedMonthly("kms-key", "KMS customer managed key", UNIT_PRICES.kmsKeyPerMonth, ctx),
    "aws:secretsmanager/secret:Secret": (_r, ctx) => fixedMonthly("secret", "Secrets Manager secret", UNIT_PRICES.secretPerMonth, ctx),
    "aws:cloudwatch/metricAlarm:MetricAlarm": (r, ctx) => {
        const n = alarmMetricCount(r.props);
        return fixedMonthly("alarm", n === 1 ? "CloudWatch alarm" : `CloudWatch alarm on ${n} metrics`, UNIT_PRICES.alarmStandardPerMonth * n, ctx);
    },
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": (_r, ctx) => fixedMonthly("alarm", "CloudWatch composite alarm", UNIT_PRICES.alarmCompositePerMonth, ctx),
    // The first two action-enabled budgets of an account are free; the estimate does not know the account.
    "aws:budgets/budgetAction:BudgetAction": (_r, ctx) => fixedMonthly("budget-action", "Budget action (first two per account free)", UNIT_PRICES.budgetActionPerMonth, ctx),
    "aws:cloudwatch/dashboard:Dashboard": (_r, ctx) => fixedMonthly("dashboard", "CloudWatch dashboard", UNIT_PRICES.dashboardPerMonth, ctx),
    "aws:elasticache/replicationGroup:ReplicationGroup": replicationGroup,
    // The Service of an EnvoyProxy of type LoadBalancer makes Kubernetes create an NLB outside Pulumi.
    "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy": (r, ctx) => {
        const service = record(record(record(record(r.props.spec).provider).kubernetes).envoyService);
        return service.type === "LoadBalancer"
            ? fixedMonthly("load-balancer", "Network Load Balancer (hourly; LCUs not included)", UNIT_PRICES.nlbPerHour * HOURS_PER_MONTH, ctx)
            : undefined;
    },
};

/** Line kind of model-API spend: nothing at min and expected (usage-based), the token quota's worth at max. */
export const MODEL_API_KIND = "model-api";

/** Model-API lines from the metering Lambda's record of each team's token quota (components/modelSpend.ts). */
function modelSpendLines(r: CostResource): { lines: CostLine[]; warnings: string[] } {
    const quotas = quotasOf(r.type, r.props) ?? [];
    const lines: CostLine[] = [];
    const warnings: string[] = [];
    for (const q of quotas) {
        const m = maxMonthlyModelSpend(q);
        const rate = m.dearest ? ` at ${m.dearest}'s dearest rate` : "";
        lines.push({
            team: q.team, urn: r.urn, kind: MODEL_API_KIND,
            description: `model APIs at the token quota: ${(q.tokensPerMinute ?? 0).toLocaleString("en-US")} tokens/min x ${MINUTES_PER_MONTH.toLocaleString("en-US")} min${rate} (max only; usage-based)`,
            monthly: { min: 0, expected: 0, max: round(m.maxUsd) },
        });
        if (m.unpriced.length > 0) warnings.push(`team ${q.team}: ${m.unpriced.join(", ")} not in the model price table: the model-spend max (${formatUsd(m.maxUsd)}) leaves them out`);
    }
    return { lines, warnings };
}

function schedulesByNodeGroup(resources: readonly CostResource[]): Map<string, ScheduleWindow[]> {
    const groups = new Set(resources.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup").map((r) => r.urn));
    const out = new Map<string, ScheduleWindow[]>();
    for (const r of resources) {
        if (r.type !== "aws:autoscaling/schedule:Schedule" || typeof r.props.recurrence !== "string") continue;
        const group = (r.dependencies ?? []).find((d) => groups.has(d));
        if (!group) continue;
        const minSize = num(r.props.minSize), maxSize = num(r.props.maxSize), desiredSize = num(r.props.desiredCapacity, minSize);
        const timezone = typeof r.props.timeZone === "string" ? r.props.timeZone : "UTC";
        if (!isReplayable({ cron: r.props.recurrence, timezone })) continue;
        out.set(group, [...(out.get(group) ?? []), { cron: r.props.recurrence, timezone, minSize, maxSize, desiredSize }]);
    }
    return out;
}

export function estimateCost(resources: readonly CostResource[], opts: EstimateOptions): CostEstimate {
    const capacityInput: CapacityResource[] = resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name ?? r.urn.split("::").pop() ?? r.urn, props: r.props, providerProps: r.providerProps, dependencies: r.dependencies }));
    const capacity = new Map(computeCapacity(capacityInput).map((c) => [c.urn, c]));
    const asOf = opts.asOf ?? todayUtc();
    const schedules = schedulesByNodeGroup(resources);
    const contexts = new Map<string, Context>();
    // Each resource is priced in its provider's region (an eu-west-1 provider in a us-east-1 stack included).
    const contextFor = (region: string): Context => {
        let ctx = contexts.get(region);
        if (!ctx) contexts.set(region, ctx = { region, factor: regionPriceFactor(region), spotDiscount: opts.spotDiscount ?? {}, capacity, asOf, schedules });
        return ctx;
    };
    const lines: CostLine[] = [];
    const warnings: string[] = [];
    const unpricedRegions = new Set<string>();
    for (const r of resources) {
        const pricer = PRICERS[r.type];
        const ctx = contextFor(resolveRegion(r.providerProps) ?? opts.region);
        const priced = pricer?.(r, ctx);
        if (!priced) continue;
        const monthly = priced.monthly ?? flat(0);
        lines.push({
            team: teamOf(r), urn: r.urn, kind: priced.kind, description: priced.description,
            monthly: { min: round(monthly.min), expected: round(monthly.expected), max: round(monthly.max) },
            ...(priced.unpriced ? { unpriced: priced.unpriced } : {}),
            ...(priced.naive ? { naive: priced.naive } : {}),
        });
        if (priced.unpriced && ctx.factor !== undefined) warnings.push(`${r.urn}: not priced: ${priced.unpriced}`);
        if (ctx.factor === undefined) unpricedRegions.add(ctx.region);
    }
    for (const r of resources) {
        const model = modelSpendLines(r);
        lines.push(...model.lines);
        warnings.push(...model.warnings);
    }
    if (regionPriceFactor(opts.region) === undefined) unpricedRegions.add(opts.region);
    for (const region of unpricedRegions) warnings.unshift(`region ${region} has no prices in the catalog: priced lines show 0 and are marked unpriced`);
    const total: Range = { min: 0, expected: 0, max: 0 };
    const byTeam: Record<string, TeamCost> = {};
    for (const team of Object.keys(opts.budgets ?? {})) byTeam[team] = { min: 0, expected: 0, max: 0 };
    for (const line of lines) {
        const t = (byTeam[line.team] ??= { min: 0, expected: 0, max: 0 });
        for (const k of ["min", "expected", "max"] as const) {
            t[k] = round(t[k] + line.monthly[k]);
            total[k] = round(total[k] + line.monthly[k]);
        }
    }
    for (const [team, budget] of Object.entries(opts.budgets ?? {})) byTeam[team].budget = budget;
    return { currency: CURRENCY, region: opts.region, pricesAsOf: PRICES_AS_OF, monthly: total, byTeam, lines, warnings, notEstimated: NOT_ESTIMATED };
}
