import type { Environment, NodeGroupConfig } from "./config";
import { Checker, DNS_LABEL } from "./validate";

export const BACKEND_PROVIDERS = ["openai", "aws-bedrock", "in-cluster"] as const;
export type BackendProvider = (typeof BACKEND_PROVIDERS)[number];

export interface GatewayBackendConfig {
    name: string;
    provider: BackendProvider;
    /** Model names clients ask for (the `model` field); the route matches on them. */
    models: string[];
    /** openai: API host. Default api.openai.com. */
    hostname?: string;
    /** openai: Secrets Manager secret whose value is the provider API key. */
    credentialsSecretArn?: string;
    /** aws-bedrock: region of the Bedrock runtime. Default: the stack's region. */
    region?: string;
    /** in-cluster: the GPU node group the model server runs on (decides which tier it serves first). */
    nodeGroup?: string;
    /** in-cluster: the model server's OpenAI-compatible Service. */
    service?: { name: string; namespace: string; port: number };
}

/** How clients reach the gateway over TLS; exactly one of the three. */
export interface GatewayTlsConfig {
    /** ACM certificate: the load balancer terminates TLS on 443. */
    certificateArn?: string;
    /** Kubernetes TLS Secret (e.g. issued by cert-manager) in the gateway namespace: Envoy terminates TLS. */
    secretName?: string;
    /** Plain HTTP on port 80: dev only, and only when asked for. */
    insecureHttp?: boolean;
}

export interface GatewayConfig {
    replicas: { min: number; max: number };
    backends: GatewayBackendConfig[];
    /** Required as soon as a team is admitted. */
    tls?: GatewayTlsConfig;
    /** Host name clients use; the listener and routes only answer for it. */
    hostname?: string;
    /** Internet-facing load balancer (true) or internal to the VPC (false, the default). */
    public: boolean;
    /** Client ranges allowed to reach the load balancer. Default: anywhere the scheme allows. */
    sourceRanges: string[];
    /** Concurrent upstream requests per backend before the tier's requests are shed (503). */
    maxParallelRequests: { production: number; batch: number };
}

const BACKEND_KEYS = ["name", "provider", "models", "hostname", "credentialsSecretArn", "region", "nodeGroup", "service"];
const GATEWAY_KEYS = ["replicas", "backends", "tls", "hostname", "public", "sourceRanges", "maxParallelRequests"];
const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;

interface Context {
    environment: Environment;
    nodeGroups: NodeGroupConfig[];
    /** Whether any team has gateway settings (then TLS is required). */
    admitsTeams: boolean;
}

export function parseGateway(c: Checker, p: string, value: unknown, ctx: Context): GatewayConfig {
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
    const tls = parseTls(c, `${p}.tls`, o.tls, ctx);
    const hostname = o.hostname === undefined ? undefined
        : c.string(`${p}.hostname`, o.hostname, { pattern: /^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, describe: "a DNS host name like ai.example.com" });
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
    return { replicas, backends, tls, hostname, public: isPublic, sourceRanges, maxParallelRequests };
}

function parseTls(c: Checker, p: string, value: unknown, ctx: Context): GatewayTlsConfig | undefined {
    const options = "one of {certificateArn: <ACM ARN>}, {secretName: <TLS Secret>} or, in dev only, {insecureHttp: true}";
    if (value === undefined) {
        if (ctx.admitsTeams) c.fail(p, undefined, `teams are admitted through the gateway, so it needs TLS: ${options}`);
        return undefined;
    }
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

function parseBackends(c: Checker, p: string, value: unknown, ctx: Context): GatewayBackendConfig[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
        c.fail(p, value, "must be a list of backends");
        return [];
    }
    const groups = new Map(ctx.nodeGroups.map((g) => [g.name, g]));
    const names = new Set<string>();
    const backends: GatewayBackendConfig[] = [];
    value.forEach((raw: unknown, i: number) => {
        const bp = `${p}[${i}]`;
        const b = c.object(bp, raw, BACKEND_KEYS);
        if (!b) return;
        const name = c.string(`${bp}.name`, b.name, { pattern: DNS_LABEL, describe: "a lower-case DNS label" });
        if (name && names.has(name)) c.fail(`${bp}.name`, name, "duplicates an earlier backend: backend names must be unique");
        if (name) names.add(name);
        const provider = c.string(`${bp}.provider`, b.provider, { oneOf: BACKEND_PROVIDERS }) as BackendProvider | undefined;
        const models = c.stringList(`${bp}.models`, b.models, (ip, m) => c.string(ip, m, { pattern: /^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/, describe: "a model name" }));
        const allowed: Record<BackendProvider, string[]> = {
            "openai": ["hostname", "credentialsSecretArn"],
            "aws-bedrock": ["region"],
            "in-cluster": ["nodeGroup", "service"],
        };
        if (provider) {
            for (const k of ["hostname", "credentialsSecretArn", "region", "nodeGroup", "service"]) {
                if (b[k] !== undefined && !allowed[provider].includes(k)) c.fail(`${bp}.${k}`, b[k], `not used by ${provider} backends (they take ${allowed[provider].join(", ")})`);
            }
        }
        const backend: GatewayBackendConfig = { name: name ?? "", provider: provider ?? "openai", models: models ?? [] };
        if (provider === "openai") {
            if (b.hostname !== undefined) backend.hostname = c.string(`${bp}.hostname`, b.hostname, { pattern: /^([a-z0-9-]+\.)+[a-z]{2,}$/, describe: "a DNS host name" });
            backend.credentialsSecretArn = c.string(`${bp}.credentialsSecretArn`, b.credentialsSecretArn, { pattern: /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, describe: "a Secrets Manager secret ARN holding the API key (credentials never go in plain config)" });
        }
        if (provider === "aws-bedrock" && b.region !== undefined) {
            backend.region = c.string(`${bp}.region`, b.region, { pattern: /^[a-z]{2}(-[a-z]+)+-\d$/, describe: "an AWS region like us-east-1" });
        }
        if (provider === "in-cluster") {
            const ng = c.string(`${bp}.nodeGroup`, b.nodeGroup, { describe: "the GPU node group the model server runs on" });
            if (ng && !groups.has(ng)) c.fail(`${bp}.nodeGroup`, ng, `must name a node group of ai-infra:nodeGroups (${[...groups.keys()].join(", ") || "none defined"})`);
            backend.nodeGroup = ng;
            const s = c.object(`${bp}.service`, b.service, ["name", "namespace", "port"]);
            if (s) {
                const sName = c.string(`${bp}.service.name`, s.name, { pattern: DNS_LABEL, describe: "a Service name" });
                const ns = c.string(`${bp}.service.namespace`, s.namespace, { pattern: DNS_LABEL, describe: "a namespace name" });
                const port = c.integer(`${bp}.service.port`, s.port, 1, 65535);
                if (sName && ns && port) backend.service = { name: sName, namespace: ns, port };
            }
        }
        backends.push(backend);
    });
    return backends;
}
