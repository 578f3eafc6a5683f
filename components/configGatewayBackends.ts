import type { GatewayContext } from "./configGateway";
import { modelLifecycle, servedModels } from "./modelLifecycle";
import { Checker, DNS_LABEL } from "./validate";

/** `ai-infra:gateway.backends`: each upstream's keys by provider, its models and the ids it is sent. */

export const BACKEND_PROVIDERS = ["openai", "aws-bedrock", "in-cluster"] as const;
export type BackendProvider = (typeof BACKEND_PROVIDERS)[number];

export interface GatewayBackendConfig {
    name: string;
    provider: BackendProvider;
    /** Model names clients ask for (the `model` field); the route matches on them. */
    models: string[];
    /**
     * Client model name → the id this backend is sent instead (AIGatewayRoute backendRef `modelNameOverride`).
     * Default: the name itself. Lets one client-facing name reach a provider under its own id, e.g. a
     * Bedrock cross-region profile `us.meta.llama3-1-8b-instruct-v1:0` behind `meta.llama3-1-8b-instruct-v1:0`
     * that an in-cluster server also serves, so clients and servers keep their name when the id changes.
     */
    modelIds?: Record<string, string>;
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

const BACKEND_KEYS = ["name", "provider", "models", "modelIds", "hostname", "credentialsSecretArn", "region", "nodeGroup", "service"];
/** A model name as clients send it, or an id a backend is sent. */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/;

/** The id a backend is sent for a client model name (its `modelIds` entry, else the name). */
export const backendModelId = (b: Pick<GatewayBackendConfig, "modelIds">, model: string): string => b.modelIds?.[model] ?? model;

export function parseBackends(c: Checker, p: string, value: unknown, ctx: GatewayContext): GatewayBackendConfig[] {
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
        const models = c.stringList(`${bp}.models`, b.models, (ip, m) => c.string(ip, m, { pattern: MODEL_NAME, describe: "a model name" }));
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
        let modelIds: Record<string, string> | undefined;
        if (b.modelIds !== undefined) {
            const o = c.object(`${bp}.modelIds`, b.modelIds, models ?? []);
            if (o) {
                modelIds = {};
                for (const [m, id] of Object.entries(o)) {
                    const v = c.string(`${bp}.modelIds.${m}`, id, { pattern: MODEL_NAME, describe: "the model id this backend is sent" });
                    if (v !== undefined) modelIds[m] = v;
                }
            }
        }
        if (provider && models) {
            models.forEach((m, j) => {
                const id = backendModelId({ modelIds }, m);
                const life = modelLifecycle(provider, id, ctx.today);
                if (life.phase === "retired") {
                    const served = servedModels(provider, ctx.today);
                    const instead = served.length > 0 ? `route a served model instead, e.g. ${served.join(", ")}` : `components/modelPrices.ts lists no ${provider} model still served: add its successor there, with its prices`;
                    const where = id === m ? `${bp}.models[${j}]` : `${bp}.modelIds.${m}`;
                    c.fail(where, id, `${provider} stopped serving it after ${life.endOfLife} (${life.source ?? "components/modelPrices.ts"}): every request to it fails; ${instead}`);
                }
            });
        }
        const backend: GatewayBackendConfig = { name: name ?? "", provider: provider ?? "openai", models: models ?? [], ...(modelIds ? { modelIds } : {}) };
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
