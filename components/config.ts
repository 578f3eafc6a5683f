import * as pulumi from "@pulumi/pulumi";
import { CACHE_NODE_TYPES, DEFAULT_SPOT_DISCOUNT } from "./catalog";
import { NAMESPACE } from "./constants";
import { PLATFORM_TEAM } from "./tags";
import { Checker, ConfigProblem, EMAIL } from "./validate";
import { parseCluster } from "./configCluster";
import { todayUtc } from "./eksVersions";
import { GatewayConfig, parseGateway } from "./configGateway";
import { parseNodeGroups } from "./configNodeGroups";

export { ConfigProblem } from "./validate";
export { BACKEND_PROVIDERS, BackendProvider, GatewayBackendConfig, GatewayConfig, GatewayTlsConfig } from "./configGateway";

export { MIN_KUBERNETES_MINOR, NAMESPACE } from "./constants";
export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
export const CAPACITIES = ["on-demand", "spot"] as const;
export type Capacity = (typeof CAPACITIES)[number];
export const TIERS = ["production", "batch"] as const;
export type Tier = (typeof TIERS)[number];


export interface TeamGateway {
    tier: Tier;
    requestsPerMinute: number;
    tokensPerMinute: number;
}

export interface TeamConfig {
    id: string;
    costCenter: string;
    owner: string;
    monthlyBudgetUsd: number;
    /** Absent: the team is not admitted by the gateway. */
    gateway?: TeamGateway;
    /** Hard limit: at 100 % of the budget, hold the team's GPU node groups (see budgetHold/). */
    budgetAction?: BudgetActionConfig;
    /**
     * Monthly model-API budget (Bedrock, OpenAI through the gateway), metered from the gateway's token
     * counts. Default: monthlyBudgetUsd (model spend alone may use the whole budget).
     */
    modelBudgetUsd?: number;
}

export interface BudgetActionConfig {
    /** Name of the IAM role the team deploys with; the deny policy is attached to it. */
    deployRole: string;
    /** `automatic` applies the policy at 100 %; `manual` waits for an approval in the Budgets console. */
    approval: "automatic" | "manual";
}

export interface ScalingConfig {
    minSize: number;
    maxSize: number;
    desiredSize: number;
}

export interface NodeGroupConfig extends ScalingConfig {
    name: string;
    team: string;
    capacity: Capacity;
    instanceTypes: string[];
    /** Root volume size; model images and weights are pulled onto it. Default 200. */
    diskSizeGiB: number;
    /** Scheduled size changes (nightly batch, zero at night); never above the group's maxSize. */
    schedules: ScheduleConfig[];
    predictiveScaling?: PredictiveScalingConfig;
}

export interface ScheduleConfig extends ScalingConfig {
    name: string;
    /** Cron, 5 fields (minute hour day-of-month month day-of-week), in `timezone`. */
    cron: string;
    /** IANA time zone. Default UTC. */
    timezone: string;
}

export interface PredictiveScalingConfig {
    /** `cpu`: the ASG's CPU (predefined pair; EC2 publishes it per Auto Scaling group). See configNodeGroups for why not GPU. */
    metric: "cpu";
    /** Target average utilisation, 1-100. */
    targetUtilization: number;
    /** Forecasts only: the Cluster Autoscaler would undo a forecast's desired capacity (see configNodeGroups). */
    mode: "forecastOnly";
}

export interface SystemNodesConfig extends ScalingConfig {
    instanceTypes: string[];
}

export interface ClusterConfig {
    name: string;
    version: string;
    create: boolean;
    vpcId?: string;
    subnetIds?: string[];
    /** CIDR of the VPC created when no vpcId is given. Default 10.0.0.0/16. */
    vpcCidr: string;
    /** Zones the created VPC spans. Default 3 in prod, 2 elsewhere. */
    availabilityZones: number;
    /** Who may reach the public API endpoint. Default: none in prod (private only), 0.0.0.0/0 elsewhere. */
    publicAccessCidrs: string[];
    /** Security groups (e.g. a self-hosted CI runner's in the VPC) allowed to the API on 443 through the cluster security group. Default none. */
    apiAccessSecurityGroupIds: string[];
    /** IAM role ARNs granted cluster admin through EKS access entries. */
    adminRoleArns: string[];
    systemNodes: SystemNodesConfig;
    /** NVIDIA device plugin: installed by the stack, or already present on an existing cluster. Required with create: false. */
    devicePlugin: GpuComponentMode;
    /** Cluster Autoscaler: installed by the stack, or already present on an existing cluster. Required with create: false. */
    clusterAutoscaler: GpuComponentMode;
}

export type GpuComponentMode = "install" | "present";

export interface CacheConfig {
    nodeType: string;
    replicasPerShard: number;
    shards: number;
}

export interface AlertsConfig {
    emails: string[];
    warningPercent: number;
    criticalPercent: number;
    /** HTTPS endpoint (pager or chat webhook) that receives pages only; a secret. */
    webhookUrl?: string;
}

export interface PricingConfig {
    /** Fraction off on-demand per instance family, e.g. `{ g5: 0.55 }`; merged over the catalog defaults. */
    spotDiscount: Record<string, number>;
}

export interface StackConfig {
    environment: Environment;
    /** `aws:region`; absent when the provider takes it from the environment. */
    region?: string;
    owner: string;
    costCenter: string;
    monthlyBudgetUsd: number;
    cluster: ClusterConfig;
    teams: TeamConfig[];
    nodeGroups: NodeGroupConfig[];
    gateway: GatewayConfig;
    cache: CacheConfig;
    alerts: AlertsConfig;
    pricing: PricingConfig;
    /**
     * Activate the chargeback keys as cost allocation tags (an account-wide setting). Default false: a
     * documented second step once the keys appear in billing data; true in one stack per payer account.
     */
    activateCostAllocationTags: boolean;
}

/** Raised before any resource is declared; `pulumi up` prints it without a stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(readonly problems: ConfigProblem[]) {
        super(`invalid stack config (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
            problems.map((p) => `  - ${p.message}`).join("\n"));
        this.name = "ConfigError";
    }
}

type Kind = "string" | "number" | "boolean" | "object";
const TOP_LEVEL_KEYS: Readonly<Record<string, Kind>> = {
    environment: "string",
    owner: "string",
    costCenter: "string",
    monthlyBudgetUsd: "number",
    cluster: "object",
    teams: "object",
    nodeGroups: "object",
    gateway: "object",
    cache: "object",
    alerts: "object",
    pricing: "object",
    activateCostAllocationTags: "boolean",
};

const key = (k: string) => `${NAMESPACE}:${k}`;

/**
 * Pulumi hands every config value to the program as a string (structured values as JSON). Turn each
 * `ai-infra:*` value into what its key expects, reporting unknown keys and unreadable values.
 */
function decode(raw: Readonly<Record<string, string>>, c: Checker): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const [fullKey, text] of Object.entries(raw)) {
        if (!fullKey.startsWith(`${NAMESPACE}:`)) continue;
        const name = fullKey.slice(NAMESPACE.length + 1);
        const kind = TOP_LEVEL_KEYS[name];
        if (!kind) {
            c.unknownKey(fullKey, name, Object.keys(TOP_LEVEL_KEYS), key);
            continue;
        }
        if (kind === "string") {
            values[name] = text;
        } else if (kind === "number") {
            values[name] = text.trim() !== "" && Number.isFinite(Number(text)) ? Number(text) : text;
        } else if (kind === "boolean") {
            values[name] = text === "true" ? true : text === "false" ? false : text;
        } else {
            try {
                values[name] = JSON.parse(text);
            } catch {
                values[name] = text;
            }
        }
    }
    return values;
}

/** Validate the whole config map (all namespaces, values as Pulumi passes them). Throws ConfigError listing every problem. */
/** `today` is the day dated facts are judged on (EKS support phases, model end of life): today (UTC) unless a test pins it. */
export function parseStackConfig(raw: Readonly<Record<string, string>>, today: Date = todayUtc()): StackConfig {
    const c = new Checker();
    const v = decode(raw, c);
    const environment = c.string(key("environment"), v.environment, { oneOf: ENVIRONMENTS }) as Environment | undefined;
    const owner = c.string(key("owner"), v.owner, { pattern: EMAIL, describe: "an e-mail address" });
    const costCenter = c.string(key("costCenter"), v.costCenter);
    const monthlyBudgetUsd = c.number(key("monthlyBudgetUsd"), v.monthlyBudgetUsd, (n) => n > 0, "must be a number of USD > 0");
    const env = environment ?? "dev";
    const cluster = parseCluster(c, v.cluster, env, today);
    const teams = parseTeams(c, v.teams);
    // Every team the file declares, valid or not: a team with one bad field is reported once, not again by
    // each node group that names it.
    const nodeGroups = parseNodeGroups(c, key("nodeGroups"), v.nodeGroups ?? {}, declaredNames(v.teams));
    const gateway = parseGateway(c, key("gateway"), v.gateway ?? {}, { environment: env, nodeGroups, teamTiers: teams.flatMap((t) => (t.gateway ? [t.gateway.tier] : [])), today });
    const cache = parseCache(c, v.cache ?? {}, env);
    const alerts = parseAlerts(c, v.alerts ?? {});
    const pricing = parsePricing(c, v.pricing ?? {});
    // Off by default: activation fails until the keys appear in billing data, so it is a second step.
    const activateCostAllocationTags = v.activateCostAllocationTags === undefined ? false : c.boolean(key("activateCostAllocationTags"), v.activateCostAllocationTags) ?? false;
    const region = raw["aws:region"];
    gateway.backends.forEach((b, i) => {
        if (b.provider === "aws-bedrock" && !b.region && !region) c.fail(`${key("gateway")}.backends[${i}].region`, undefined, "set it, or set aws:region for the stack");
    });
    if (c.problems.length > 0) throw new ConfigError(c.problems);
    return {
        environment: environment!, region, owner: owner!, costCenter: costCenter!, monthlyBudgetUsd: monthlyBudgetUsd!,
        cluster: cluster!, teams, nodeGroups, gateway, cache, alerts, pricing, activateCostAllocationTags,
    };
}

function declaredNames(map: unknown): Set<string> {
    return new Set(map !== null && typeof map === "object" && !Array.isArray(map) ? Object.keys(map) : []);
}

/** Read and validate the stack's config from the Pulumi runtime. */
export function loadStackConfig(): StackConfig {
    return parseStackConfig(pulumi.runtime.allConfig());
}

function parseTeams(c: Checker, value: unknown): TeamConfig[] {
    const p = key("teams");
    if (value === undefined) {
        c.fail(p, undefined, "a map of team id to {costCenter, owner, monthlyBudgetUsd, gateway?}: at least one team");
        return [];
    }
    const teams: TeamConfig[] = [];
    const entries = c.namedMap(p, value, "team");
    if (entries.length === 0 && value !== null && typeof value === "object") c.fail(p, value, "must list at least one team");
    for (const [id, raw] of entries) {
        const tp = `${p}.${id}`;
        if (id === PLATFORM_TEAM) c.fail(tp, id, `"${PLATFORM_TEAM}" is reserved for the shared resources the platform owns; pick another team id`);
        const o = c.object(tp, raw, ["costCenter", "owner", "monthlyBudgetUsd", "gateway", "budgetAction", "modelBudgetUsd"]);
        if (!o) continue;
        const costCenter = c.string(`${tp}.costCenter`, o.costCenter);
        const owner = c.string(`${tp}.owner`, o.owner, { pattern: EMAIL, describe: "an e-mail address" });
        const monthlyBudgetUsd = c.number(`${tp}.monthlyBudgetUsd`, o.monthlyBudgetUsd, (n) => n > 0, "must be a number of USD > 0");
        let gateway: TeamGateway | undefined;
        if (o.gateway !== undefined) {
            const g = c.object(`${tp}.gateway`, o.gateway, ["tier", "requestsPerMinute", "tokensPerMinute"]);
            if (g) {
                const tier = c.string(`${tp}.gateway.tier`, g.tier, { oneOf: TIERS }) as Tier | undefined;
                const requestsPerMinute = c.integer(`${tp}.gateway.requestsPerMinute`, g.requestsPerMinute, 1);
                const tokensPerMinute = c.integer(`${tp}.gateway.tokensPerMinute`, g.tokensPerMinute, 1);
                if (tier && requestsPerMinute && tokensPerMinute) gateway = { tier, requestsPerMinute, tokensPerMinute };
            }
        }
        let budgetAction: BudgetActionConfig | undefined;
        if (o.budgetAction !== undefined) {
            const b = c.object(`${tp}.budgetAction`, o.budgetAction, ["deployRole", "approval"]);
            if (b) {
                const deployRole = c.string(`${tp}.budgetAction.deployRole`, b.deployRole, { pattern: /^[\w+=,.@-]{1,64}$/, describe: "an IAM role name (not an ARN)" });
                const approval = c.string(`${tp}.budgetAction.approval`, b.approval ?? "manual", { oneOf: ["automatic", "manual"] }) as BudgetActionConfig["approval"] | undefined;
                if (deployRole && approval) budgetAction = { deployRole, approval };
            }
        }
        const modelBudgetUsd = o.modelBudgetUsd === undefined ? undefined
            : c.number(`${tp}.modelBudgetUsd`, o.modelBudgetUsd, (n) => n >= 0 && (!monthlyBudgetUsd || n <= monthlyBudgetUsd), `must be a number of USD from 0 to monthlyBudgetUsd (${monthlyBudgetUsd})`);
        if (costCenter && owner && monthlyBudgetUsd) {
            teams.push({ id, costCenter, owner, monthlyBudgetUsd, gateway, ...(budgetAction ? { budgetAction } : {}), ...(modelBudgetUsd !== undefined ? { modelBudgetUsd } : {}) });
        }
    }
    return teams;
}

function parseCache(c: Checker, value: unknown, env: Environment): CacheConfig {
    const p = key("cache");
    const o = c.object(p, value, ["nodeType", "replicasPerShard", "shards"]) ?? {};
    const nodeType = c.string(`${p}.nodeType`, o.nodeType ?? "cache.t4g.small", { oneOf: [...CACHE_NODE_TYPES.keys()] }) ?? "cache.t4g.small";
    const defaultReplicas = env === "prod" ? 1 : 0;
    const replicasPerShard = c.integer(`${p}.replicasPerShard`, o.replicasPerShard ?? defaultReplicas, env === "prod" ? 1 : 0, 5,
        env === "prod" ? "must be an integer from 1 to 5: prod needs a replica for automatic failover" : undefined) ?? defaultReplicas;
    const shards = c.integer(`${p}.shards`, o.shards ?? 1, 1, 500) ?? 1;
    return { nodeType, replicasPerShard, shards };
}

function parseAlerts(c: Checker, value: unknown): AlertsConfig {
    const p = key("alerts");
    const o = c.object(p, value, ["emails", "warningPercent", "criticalPercent", "webhookUrl"]) ?? {};
    const emails = o.emails === undefined ? [] :
        c.stringList(`${p}.emails`, o.emails, (ip, e) => c.string(ip, e, { pattern: EMAIL, describe: "an e-mail address" }), { allowEmpty: true }) ?? [];
    const warningPercent = c.number(`${p}.warningPercent`, o.warningPercent ?? 70, (n) => n > 0 && n < 100, "must be a number above 0 and below 100") ?? 70;
    const criticalPercent = c.number(`${p}.criticalPercent`, o.criticalPercent ?? 90, (n) => n > warningPercent && n <= 100,
        `must be a number above warningPercent (${warningPercent}) and at most 100`) ?? 90;
    const webhookUrl = o.webhookUrl === undefined ? undefined
        : c.string(`${p}.webhookUrl`, o.webhookUrl, { pattern: /^https:\/\/\S+$/, describe: "an https:// URL (store it with pulumi config set --secret --path)" });
    return { emails, warningPercent, criticalPercent, ...(webhookUrl ? { webhookUrl } : {}) };
}

function parsePricing(c: Checker, value: unknown): PricingConfig {
    const p = key("pricing");
    const o = c.object(p, value, ["spotDiscount"]) ?? {};
    const spotDiscount: Record<string, number> = {};
    if (o.spotDiscount !== undefined) {
        const d = c.object(`${p}.spotDiscount`, o.spotDiscount, Object.keys(DEFAULT_SPOT_DISCOUNT));
        for (const [fam, raw] of Object.entries(d ?? {})) {
            if (!(fam in DEFAULT_SPOT_DISCOUNT)) continue;
            const n = c.number(`${p}.spotDiscount.${fam}`, raw, (x) => x >= 0 && x < 1, "must be a fraction from 0 to below 1 (0.6 = 60 % off on-demand)");
            if (n !== undefined) spotDiscount[fam] = n;
        }
    }
    return { spotDiscount };
}
