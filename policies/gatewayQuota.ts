import { StackValidationPolicy } from "@pulumi/policy";
import { TEAM_HEADER } from "../components/gateway/constants";
import { ADMITTED_TEAMS_ANNOTATION } from "../components/gateway/quotas";
import { elements, peek, peekAt, UNKNOWN } from "../components/tagResolution";

const SECRET_TYPE = "kubernetes:core/v1:Secret";
const TRAFFIC_POLICY_TYPE = "kubernetes:gateway.envoyproxy.io/v1alpha1:BackendTrafficPolicy";
const SECURITY_POLICY_TYPE = "kubernetes:gateway.envoyproxy.io/v1alpha1:SecurityPolicy";
const ROUTE_TYPE_PREFIX = "kubernetes:aigateway.envoyproxy.io/";

interface TeamLimits {
    requests: boolean;
    tokens: boolean;
}

/** Per team header value: whether a request-count and a token rule exist among the global rate limits. */
export function teamLimits(rules: unknown[]): Map<string, TeamLimits> {
    const limits = new Map<string, TeamLimits>();
    for (const rule of rules) {
        const isTokens = peekAt(rule, "cost", "response", "from") === "Metadata";
        for (const selector of elements(peek(rule, "clientSelectors"))) {
            for (const h of elements(peek(selector, "headers"))) {
                const value = peek(h, "value");
                if (peek(h, "name") !== TEAM_HEADER || typeof value !== "string" || (peek(h, "type") ?? "Exact") !== "Exact") continue;
                const entry = limits.get(value) ?? { requests: false, tokens: false };
                if (isTokens) entry.tokens = true;
                else entry.requests = true;
                limits.set(value, entry);
            }
        }
    }
    return limits;
}

export const gatewayQuota: StackValidationPolicy = {
    name: "gateway-quota",
    description: "Every team admitted by the gateway has a request and a token rate limit, and every AI route requires an API key.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const admitted = new Map<string, string>();
        for (const r of args.resources) {
            if (r.type !== SECRET_TYPE) continue;
            const teams = peekAt(r.props, "metadata", "annotations", ADMITTED_TEAMS_ANNOTATION);
            if (typeof teams === "string") for (const t of teams.split(",").map((x) => x.trim()).filter(Boolean)) admitted.set(t, r.urn);
        }
        const lists = args.resources.filter((r) => r.type === TRAFFIC_POLICY_TYPE).map((r) => peekAt(r.props, "spec", "rateLimit", "global", "rules"));
        // Rules a preview cannot know yet are judged at the update; judging without them would invent gaps.
        const rulesKnown = !lists.includes(UNKNOWN);
        const limits = teamLimits(lists.flatMap(elements));
        for (const [team, urn] of rulesKnown ? admitted : new Map<string, string>()) {
            const l = limits.get(team);
            const missing = [!l?.requests ? "request limit" : "", !l?.tokens ? "token limit" : ""].filter(Boolean);
            if (missing.length > 0) report(`team ${team} is admitted by the gateway but has no ${missing.join(" and no ")} (global rate limit rule on header ${TEAM_HEADER})`, urn);
        }
        // A route is protected by a policy on the route itself, on the Gateway it attaches to, or on the
        // listener it attaches to (parentRef sectionName): Envoy Gateway applies the most specific one.
        const protectedRoutes = new Set<string>();
        const protectedParents = new Set<string>();
        let refsKnown = true;
        for (const r of args.resources.filter((x) => x.type === SECURITY_POLICY_TYPE && peekAt(x.props, "spec", "apiKeyAuth") !== undefined)) {
            const refs = peekAt(r.props, "spec", "targetRefs");
            if (refs === UNKNOWN) refsKnown = false;
            for (const ref of elements(refs)) {
                const name = peek(ref, "name"), section = peek(ref, "sectionName");
                if (typeof name !== "string") continue;
                if (peek(ref, "kind") === "Gateway") protectedParents.add(`${name}/${typeof section === "string" ? section : "*"}`);
                else protectedRoutes.add(name);
            }
        }
        const parentProtected = (ref: unknown) => {
            const name = peek(ref, "name"), section = peek(ref, "sectionName");
            return typeof name === "string" && (protectedParents.has(`${name}/*`) || (typeof section === "string" && protectedParents.has(`${name}/${section}`)));
        };
        // Policies a preview cannot know yet are judged at the update; judging without them would invent gaps.
        for (const r of args.resources.filter((x) => refsKnown && x.type.startsWith(ROUTE_TYPE_PREFIX) && x.type.endsWith(":AIGatewayRoute"))) {
            const name = peekAt(r.props, "metadata", "name");
            const parents = elements(peekAt(r.props, "spec", "parentRefs"));
            const viaParents = parents.length > 0 && parents.every(parentProtected);
            if (typeof name === "string" && !protectedRoutes.has(name) && !viaParents) report(`route ${name} has no SecurityPolicy with API-key auth: unknown clients would reach the models`, r.urn);
        }
    },
};
