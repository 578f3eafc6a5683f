import { K8sObject } from "../../../components/gateway";

/**
 * What Envoy Gateway v1.8.3 + AI Gateway v1.1.0 do with one client request, computed from the rendered
 * objects alone. Each step is the upstream behaviour it names (tags pinned in components/gateway/constants.ts):
 *
 * 1. The AI Gateway turns each AIGatewayRoute into an HTTPRoute of the same name with the same parentRefs
 *    and hostnames (ai-gateway v1.1.0 internal/controller/ai_gateway_route.go:368-370) and appends a
 *    `route-not-found` rule matching every path (ai_gateway_route.go:331-342).
 * 2. Envoy picks the virtual host by the request's Host before any filter runs: Envoy Gateway builds one
 *    virtual host per route hostname of a listener (gateway v1.8.3 internal/xds/translator/translator.go:510-542).
 * 3. Within it, rules are ordered by Gateway API precedence (longest path, then most header matches, then
 *    the oldest route, then name) and the first matching rule wins.
 * 4. `api_key_auth` runs before the AI Gateway's ext_proc (httpfilters.go:114 order 6, :128 order 100+), is
 *    disabled on the connection manager and enabled per route with that route's credentials
 *    (api_key_auth.go:83, :93-113): the key is judged against the route matched *before* the model is
 *    known. A route's security comes from a policy on the route, else on its listener (sectionName), else
 *    on its Gateway (internal/gatewayapi/securitypolicy.go:134-137 order, :1204-1206 and :1238-1247).
 * 5. The ext_proc then sets `x-ai-eg-model` from the body, overwriting any client value, and clears the
 *    route cache (ai-gateway internal/extproc/processor_impl.go:284-290, :327): the request is routed again
 *    in the same virtual host (it changes no Host) without a second authentication.
 * 6. Its treatment is the BackendTrafficPolicy `tier-<tier>` targeting the HTTPRoute it finally matched.
 */

export interface ClientRequest {
    host: string;
    /** Headers as the client sends them (lower-case names). */
    headers: Record<string, string>;
    /** The `model` of the JSON body. */
    model: string;
}

export type Outcome =
    | { status: 401 }
    | { status: 404; team: string }
    | { status: 200; team: string; route: string; treatment: string | undefined };

interface Rule { route: string; created: number; paths: number; headers: { name: string; value: string }[]; notFound: boolean }
interface Listener { name: string; hostname?: string }
type Spec = Record<string, any>;

const spec = (o: K8sObject) => (o.spec ?? {}) as Spec;

export class RequestModel {
    private readonly gateway: K8sObject;
    private readonly routes: K8sObject[];
    private readonly policies: K8sObject[];
    private readonly trafficPolicies: K8sObject[];

    /**
     * @param objects every rendered custom resource
     * @param secrets key Secret name → its data (team id → API key)
     * @param creationOrder AIGatewayRoute names, oldest first (Pulumi creates them in parallel: any order can happen)
     */
    constructor(objects: readonly K8sObject[], private readonly secrets: Record<string, Record<string, string>>, creationOrder: readonly string[]) {
        this.gateway = objects.find((o) => o.kind === "Gateway")!;
        const routes = objects.filter((o) => o.kind === "AIGatewayRoute");
        this.routes = creationOrder.map((name) => routes.find((r) => r.metadata.name === name)!);
        if (this.routes.length !== routes.length || this.routes.some((r) => !r)) throw new Error(`creation order ${creationOrder} does not name every route`);
        this.policies = objects.filter((o) => o.kind === "SecurityPolicy");
        this.trafficPolicies = objects.filter((o) => o.kind === "BackendTrafficPolicy");
    }

    private listeners(): Listener[] {
        return (spec(this.gateway).listeners as Spec[]).map((l) => ({ name: l.name, hostname: l.hostname }));
    }

    /** Host names the Gateway answers on (a listener without one answers every host). */
    hosts(): string[] {
        return this.listeners().map((l) => l.hostname).filter((h): h is string => h !== undefined);
    }

    /** The (listener, effective hostname) pairs a route attaches to. */
    private attachments(route: K8sObject): { listener: string; hostname: string }[] {
        const out: { listener: string; hostname: string }[] = [];
        const routeHosts = (spec(route).hostnames as string[] | undefined) ?? [];
        for (const ref of spec(route).parentRefs as Spec[]) {
            if (ref.name !== this.gateway.metadata.name) continue;
            for (const l of this.listeners()) {
                if (ref.sectionName !== undefined && ref.sectionName !== l.name) continue;
                if (l.hostname === undefined) {
                    for (const h of routeHosts.length ? routeHosts : ["*"]) out.push({ listener: l.name, hostname: h });
                } else if (routeHosts.length === 0 || routeHosts.includes(l.hostname)) {
                    out.push({ listener: l.name, hostname: l.hostname });
                }
            }
        }
        return out;
    }

    /** The virtual host a Host header selects: an exact domain first, else the wildcard one. */
    private virtualHost(host: string): { hostname: string; rules: Rule[]; listenerOf: Map<string, string> } | undefined {
        const vhosts = new Map<string, { rules: Rule[]; listenerOf: Map<string, string> }>();
        this.routes.forEach((route, created) => {
            for (const a of this.attachments(route)) {
                const vh = vhosts.get(a.hostname) ?? { rules: [], listenerOf: new Map<string, string>() };
                vh.listenerOf.set(route.metadata.name, a.listener);
                for (const r of spec(route).rules as Spec[]) {
                    const headers = ((r.matches?.[0]?.headers ?? []) as Spec[]).map((h) => ({ name: String(h.name).toLowerCase(), value: String(h.value) }));
                    vh.rules.push({ route: route.metadata.name, created, paths: 1, headers, notFound: false });
                }
                vh.rules.push({ route: route.metadata.name, created, paths: 1, headers: [], notFound: true });
                vhosts.set(a.hostname, vh);
            }
        });
        const hostname = vhosts.has(host) ? host : vhosts.has("*") ? "*" : undefined;
        if (hostname === undefined) return undefined;
        const vh = vhosts.get(hostname)!;
        vh.rules.sort((a, b) => b.paths - a.paths || b.headers.length - a.headers.length || a.created - b.created || a.route.localeCompare(b.route));
        return { hostname, ...vh };
    }

    private match(rules: Rule[], headers: Record<string, string>): Rule | undefined {
        return rules.find((r) => r.headers.every((h) => headers[h.name] === h.value));
    }

    /** The API-key credentials in force on a route attached through a listener, or undefined without auth. */
    private credentials(route: string, listener: string): Record<string, string> | undefined {
        const targets = (p: K8sObject, pred: (ref: Spec) => boolean) => (spec(p).targetRefs as Spec[]).some(pred);
        const byRoute = this.policies.find((p) => targets(p, (r) => r.kind === "HTTPRoute" && r.name === route));
        const byListener = this.policies.find((p) => targets(p, (r) => r.kind === "Gateway" && r.name === this.gateway.metadata.name && r.sectionName === listener));
        const byGateway = this.policies.find((p) => targets(p, (r) => r.kind === "Gateway" && r.name === this.gateway.metadata.name && r.sectionName === undefined));
        const policy = byRoute ?? byListener ?? byGateway;
        if (!policy || !spec(policy).apiKeyAuth) return undefined;
        const keys: Record<string, string> = {};
        for (const ref of spec(policy).apiKeyAuth.credentialRefs as Spec[]) Object.assign(keys, this.secrets[ref.name] ?? {});
        return keys;
    }

    send(req: ClientRequest, apiKey: string | undefined): Outcome | undefined {
        const vh = this.virtualHost(req.host);
        if (!vh) return undefined;
        const headers: Record<string, string> = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
        const first = this.match(vh.rules, headers)!;
        const creds = this.credentials(first.route, vh.listenerOf.get(first.route)!);
        let team = "anonymous";
        if (creds) {
            const found = Object.entries(creds).find(([, key]) => apiKey !== undefined && key === apiKey);
            if (!found) return { status: 401 };
            team = found[0];
            headers["x-ai-infra-team"] = team;
            delete headers["x-api-key"];
        }
        headers["x-ai-eg-model"] = req.model;
        const final = this.match(vh.rules, headers)!;
        if (final.notFound) return { status: 404, team };
        const treatment = this.trafficPolicies.find((p) => (spec(p).targetRefs as Spec[]).some((r) => r.kind === "HTTPRoute" && r.name === final.route))?.metadata.name;
        return { status: 200, team, route: final.route, treatment };
    }
}

/** Every order of a list (routes are few: at most a handful per stack). */
export function permutations<T>(items: readonly T[]): T[][] {
    if (items.length <= 1) return [items.slice()];
    return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}
