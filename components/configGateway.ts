import type { Environment, NodeGroupConfig, Tier } from "./config";
import { hasWarmFloor } from "./gateway/backends";
import { GatewayBackendConfig, parseBackends } from "./configGatewayBackends";
import { Checker, DNS_LABEL } from "./validate";

export { BACKEND_PROVIDERS, BackendProvider, GatewayBackendConfig } from "./configGatewayBackends";

/** How clients reach the gateway over TLS; exactly one of the three. */
export interface GatewayTlsConfig {
    /** ACM certificate: the load balancer terminates TLS on 443. */
    certificateArn?: string;
    /** Kubernetes TLS Secret (e.g. issued by cert-manager) in the gateway namespace: Envoy terminates TLS. */
    secretName?: string;
    /** Plain HTTP on port 80: dev only, and only when asked for. */
    insecureHttp?: boolean;
}

/**
 * One listener per tier: the tier a request gets is the listener its Host selects, and each listener
 * authenticates with its own tier's keys (README, "Gateway tiers").
 */
export interface TierListenerConfig {
    /** Host name of the tier's listener. Required for both when both tiers have a listener; they must differ. */
    hostname?: string;
    /** The listener's own certificate when Envoy terminates TLS (`{secretName}` only). Default: the gateway's `tls`. */
    tls?: GatewayTlsConfig;
}

/**
 * What the gateway does when its rate-limit service cannot answer (store failover, maintenance, AUTH
 * mismatch, out of memory): `open` lets requests through without quotas, `closed` answers 500.
 */
export const RATE_LIMIT_FAILURE_MODES = ["open", "closed"] as const;
export type RateLimitFailureMode = (typeof RATE_LIMIT_FAILURE_MODES)[number];
/** Default failure mode (README, "When the quota store is unreachable" says why). */
export const DEFAULT_RATE_LIMIT_FAILURE_MODE: RateLimitFailureMode = "open";

export interface GatewayConfig {
    replicas: { min: number; max: number };
    backends: GatewayBackendConfig[];
    /** TLS of every tier listener without its own; a listener admitting teams must end up with one. */
    tls?: GatewayTlsConfig;
    /** Per tier: its listener's host name and, optionally, its own TLS Secret. */
    tiers: Partial<Record<Tier, TierListenerConfig>>;
    /** Quotas when the rate-limit store is unreachable. Default `open`. */
    rateLimitFailureMode: RateLimitFailureMode;
    /** Internet-facing load balancer (true) or internal to the VPC (false, the default). */
    public: boolean;
    /** Client ranges allowed to reach the load balancer. Default: anywhere the scheme allows. */
    sourceRanges: string[];
    /** Concurrent upstream requests per backend before the tier's requests are shed (503). */
    maxParallelRequests: { production: number; batch: number };
}

const GATEWAY_KEYS = ["replicas", "backends", "tls", "tiers", "rateLimitFailureMode", "hostname", "public", "sourceRanges", "maxParallelRequests"];
const HOSTNAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/;
const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;

export interface GatewayContext {
    environment: Environment;
    nodeGroups: NodeGroupConfig[];
    /** The tier of every team with gateway settings: each such tier (and batch) gets a listener that needs TLS. */
    teamTiers: Tier[];
    /** The day a model's end of life is judged on. */
    today?: Date;
}

/** Tiers that get a listener: batch whenever a team is admitted (every team may use it), production with a production team. */
export function listenerTiers(teamTiers: readonly Tier[]): Tier[] {
    if (teamTiers.length === 0) return [];
    return teamTiers.includes("production") ? ["production", "batch"] : ["batch"];
}

/** The TLS a tier's listener terminates with: its own, else the gateway's. */
export function listenerTls(gw: Pick<GatewayConfig, "tls" | "tiers">, tier: Tier): GatewayTlsConfig | undefined {
    return gw.tiers[tier]?.tls ?? gw.tls;
}

export function parseGateway(c: Checker, p: string, value: unknown, ctx: GatewayContext): GatewayConfig {
    const o = c.object(p, value, GATEWAY_KEYS) ?? {};
    let replicas = { min: 2, max: 10 };
    if (o.replicas !== undefined) {
        const r = c.object(`${p}.replicas`, o.replicas, ["min", "max"]);
        if (r) {
            const min = c.integer(`${p}.replicas.min`, r.min ?? 2, 1, 100) ?? 2;
            const max = c.integer(`${p}.replicas.max`, r.max ?? Math.max(min, 10), min, 1000, `must be an integer >= replicas.min (${min}) and <= 1000`) ?? min;
            replicas = { min, max };
        }
    }
    const backends = parseBackends(c, `${p}.backends`, o.backends, ctx);
    if (ctx.teamTiers.includes("production")) checkProductionFloor(c, `${p}.backends`, backends, ctx.nodeGroups);
    const tls = o.tls === undefined ? undefined : parseTls(c, `${p}.tls`, o.tls, ctx);
    if (o.hostname !== undefined) {
        c.fail(`${p}.hostname`, o.hostname, "replaced by tiers.production.hostname and tiers.batch.hostname: each tier has its own listener (README, Gateway tiers)");
    }
    const tiers = parseTiers(c, `${p}.tiers`, o.tiers, tls, o.tls !== undefined, ctx);
    const rateLimitFailureMode = o.rateLimitFailureMode === undefined ? DEFAULT_RATE_LIMIT_FAILURE_MODE
        : (c.string(`${p}.rateLimitFailureMode`, o.rateLimitFailureMode, { oneOf: RATE_LIMIT_FAILURE_MODES }) as RateLimitFailureMode | undefined) ?? DEFAULT_RATE_LIMIT_FAILURE_MODE;
    const isPublic = o.public === undefined ? false : c.boolean(`${p}.public`, o.public) ?? false;
    const sourceRanges = o.sourceRanges === undefined ? [] :
        c.stringList(`${p}.sourceRanges`, o.sourceRanges, (ip, s) => c.string(ip, s, { pattern: CIDR, describe: "an IPv4 CIDR" })) ?? [];
    const maxParallelRequests = { production: 1024, batch: 64 };
    if (o.maxParallelRequests !== undefined) {
        const m = c.object(`${p}.maxParallelRequests`, o.maxParallelRequests, ["production", "batch"]);
        if (m) {
            maxParallelRequests.production = c.integer(`${p}.maxParallelRequests.production`, m.production ?? 1024, 1, 100000) ?? 1024;
            maxParallelRequests.batch = c.integer(`${p}.maxParallelRequests.batch`, m.batch ?? 64, 1, maxParallelRequests.production,
                `must be an integer from 1 to maxParallelRequests.production (${maxParallelRequests.production}): batch is shed first`) ?? 64;
        }
    }
    return { replicas, backends, tls, tiers, rateLimitFailureMode, public: isPublic, sourceRanges, maxParallelRequests };
}

/**
 * A model production teams can ask for must have a backend that is always up: a provider, or an in-cluster
 * server whose node group keeps a node at all times. Otherwise every production request for it fails
 * while the group is at zero.
 */
function checkProductionFloor(c: Checker, p: string, backends: readonly GatewayBackendConfig[], nodeGroups: readonly NodeGroupConfig[]): void {
    const groups = new Map(nodeGroups.map((g) => [g.name, g]));
    const alwaysUp = (b: GatewayBackendConfig) => b.provider !== "in-cluster" || (groups.has(b.nodeGroup ?? "") && hasWarmFloor(groups.get(b.nodeGroup!)!));
    for (const model of [...new Set(backends.flatMap((b) => b.models))]) {
        const serving = backends.filter((b) => b.models.includes(model));
        if (serving.some(alwaysUp)) continue;
        c.fail(p, serving.map((b) => b.name), `model ${JSON.stringify(model)} is served to production teams only by in-cluster backends whose node groups can be at zero (${serving.map((b) => b.nodeGroup).join(", ")}): add a provider backend for it, or give one of those node groups minSize >= 1 in its base size and every schedule`);
    }
}

const TLS_OPTIONS = "one of {certificateArn: <ACM ARN>}, {secretName: <TLS Secret>} or, in dev only, {insecureHttp: true}";

function parseTiers(c: Checker, p: string, value: unknown, gatewayTls: GatewayTlsConfig | undefined, gatewayTlsGiven: boolean, ctx: GatewayContext): Partial<Record<Tier, TierListenerConfig>> {
    const tiers: Partial<Record<Tier, TierListenerConfig>> = {};
    const o = value === undefined ? {} : c.object(p, value, ["production", "batch"]) ?? {};
    for (const tier of ["production", "batch"] as Tier[]) {
        if (o[tier] === undefined) continue;
        const t = c.object(`${p}.${tier}`, o[tier], ["hostname", "tls"]);
        if (!t) continue;
        const entry: TierListenerConfig = {};
        if (t.hostname !== undefined) entry.hostname = c.string(`${p}.${tier}.hostname`, t.hostname, { pattern: HOSTNAME, describe: "a DNS host name like ai.example.com" });
        if (t.tls !== undefined) {
            const tls = c.object(`${p}.${tier}.tls`, t.tls, ["secretName", "certificateArn", "insecureHttp"]);
            if (tls && (tls.certificateArn !== undefined || tls.insecureHttp !== undefined || tls.secretName === undefined)) {
                c.fail(`${p}.${tier}.tls`, t.tls, "a tier listener may only bring its own {secretName: <TLS Secret>}: the load balancer terminates one ACM certificate (gateway tls.certificateArn) for every listener, and plain HTTP is gateway-wide (gateway tls.insecureHttp)");
            } else if (tls && gatewayTls && !gatewayTls.secretName) {
                c.fail(`${p}.${tier}.tls`, t.tls, `both listeners share one port, so they terminate TLS in the same place: the gateway's tls is ${JSON.stringify(gatewayTls)}, so remove this or give the gateway a {secretName} too`);
            } else if (tls) {
                entry.tls = parseTls(c, `${p}.${tier}.tls`, tls, ctx);
            }
        }
        tiers[tier] = entry;
    }
    const needed = listenerTiers(ctx.teamTiers);
    for (const tier of needed) {
        const teams = tier === "batch" ? "every admitted team" : "the production teams";
        // A gateway tls that was given but is invalid has its own error already.
        if (!(tiers[tier]?.tls ?? gatewayTls) && !(gatewayTlsGiven && gatewayTls === undefined)) {
            if (tiers[tier]) {
                c.fail(`${p}.${tier}.tls`, undefined, `the ${tier} listener admits ${teams} with their API keys, so it needs TLS: give the gateway's tls (${TLS_OPTIONS}) or tiers.${tier}.tls {secretName}`);
            } else {
                c.fail(`${p.replace(/\.tiers$/, "")}.tls`, undefined, `teams are admitted through the gateway, so it needs TLS: ${TLS_OPTIONS}`);
            }
        }
        const hostnameGiven = (o[tier] as Record<string, unknown> | undefined)?.hostname !== undefined;
        if (needed.length > 1 && !hostnameGiven) {
            c.fail(`${p}.${tier}.hostname`, undefined, "both tiers have a listener on the same port, told apart by host name before any filter runs: give each tier its own DNS host name");
        }
    }
    if (tiers.production?.hostname && tiers.production.hostname === tiers.batch?.hostname) {
        c.fail(`${p}.batch.hostname`, tiers.batch.hostname, "must differ from tiers.production.hostname: the host name is what selects the tier");
    }
    return tiers;
}

function parseTls(c: Checker, p: string, value: unknown, ctx: GatewayContext): GatewayTlsConfig | undefined {
    const options = TLS_OPTIONS;
    const o = c.object(p, value, ["certificateArn", "secretName", "insecureHttp"]);
    if (!o) return undefined;
    const set = Object.keys(o).filter((k) => o[k] !== undefined);
    if (set.length !== 1) {
        c.fail(p, value, `give exactly ${options}`);
        return undefined;
    }
    if (o.certificateArn !== undefined) {
        const arn = c.string(`${p}.certificateArn`, o.certificateArn, { pattern: /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/, describe: "an ACM certificate ARN" });
        return arn ? { certificateArn: arn } : undefined;
    }
    if (o.secretName !== undefined) {
        const name = c.string(`${p}.secretName`, o.secretName, { pattern: DNS_LABEL, describe: "the name of a kubernetes.io/tls Secret" });
        return name ? { secretName: name } : undefined;
    }
    if (o.insecureHttp !== true) {
        c.fail(`${p}.insecureHttp`, o.insecureHttp, "must be true (or use certificateArn / secretName)");
        return undefined;
    }
    if (ctx.environment !== "dev") {
        c.fail(`${p}.insecureHttp`, true, `plain HTTP is allowed in dev only, this is ${ctx.environment}: use certificateArn or secretName`);
        return undefined;
    }
    return { insecureHttp: true };
}
