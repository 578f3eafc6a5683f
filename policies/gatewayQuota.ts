import { StackValidationPolicy } from "@pulumi/policy";
import { TEAM_HEADER } from "../components/gateway/constants";
import { ADMITTED_TEAMS_ANNOTATION } from "../components/gateway/quotas";
import { at, isRecord } from "./common";

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
        if (!isRecord(rule) || !Array.isArray(rule.clientSelectors)) continue;
        const isTokens = at(rule, "cost", "response", "from") === "Metadata";
        for (const selector of rule.clientSelectors) {
            const headers = isRecord(selector) && Array.isArray(selector.headers) ? selector.headers : [];
            for (const h of headers) {
                if (!isRecord(h) || h.name !== TEAM_HEADER || typeof h.value !== "string" || (h.type ?? "Exact") !== "Exact") continue;
                const entry = limits.get(h.value) ?? { requests: false, tokens: false };
                if (isTokens) entry.tokens = true;
                else entry.requests = true;
                limits.set(h.value, entry);
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
            const teams = at(r.props, "metadata", "annotations", ADMITTED_TEAMS_ANNOTATION);
            if (typeof teams === "string") for (const t of teams.split(",").map((x) => x.trim()).filter(Boolean)) admitted.set(t, r.urn);
        }
        const rules = args.resources.filter((r) => r.type === TRAFFIC_POLICY_TYPE).flatMap((r) => {
            const list = at(r.props, "spec", "rateLimit", "global", "rules");
            return Array.isArray(list) ? list : [];
        });
        const limits = teamLimits(rules);
        for (const [team, urn] of admitted) {
            const l = limits.get(team);
            const missing = [!l?.requests ? "request limit" : "", !l?.tokens ? "token limit" : ""].filter(Boolean);
            if (missing.length > 0) report(`team ${team} is admitted by the gateway but has no ${missing.join(" and no ")} (global rate limit rule on header ${TEAM_HEADER})`, urn);
        }
        // A route is protected by a policy on the route itself, on the Gateway it attaches to, or on the
        // listener it attaches to (parentRef sectionName): Envoy Gateway applies the most specific one.
        const protectedRoutes = new Set<string>();
        const protectedParents = new Set<string>();
        for (const r of args.resources.filter((x) => x.type === SECURITY_POLICY_TYPE && isRecord(at(x.props, "spec", "apiKeyAuth")))) {
            const refs = at(r.props, "spec", "targetRefs");
            for (const ref of Array.isArray(refs) ? refs : []) {
                if (!isRecord(ref) || typeof ref.name !== "string") continue;
                if (ref.kind === "Gateway") protectedParents.add(`${ref.name}/${typeof ref.sectionName === "string" ? ref.sectionName : "*"}`);
                else protectedRoutes.add(ref.name);
            }
        }
        const parentProtected = (ref: unknown) => isRecord(ref) && typeof ref.name === "string" && (protectedParents.has(`${ref.name}/*`)
            || (typeof ref.sectionName === "string" && protectedParents.has(`${ref.name}/${ref.sectionName}`)));
        for (const r of args.resources.filter((x) => x.type.startsWith(ROUTE_TYPE_PREFIX) && x.type.endsWith(":AIGatewayRoute"))) {
            const name = at(r.props, "metadata", "name");
            const parents = at(r.props, "spec", "parentRefs");
            const viaParents = Array.isArray(parents) && parents.length > 0 && parents.every(parentProtected);
            if (typeof name === "string" && !protectedRoutes.has(name) && !viaParents) report(`route ${name} has no SecurityPolicy with API-key auth: unknown clients would reach the models`, r.urn);
        }
    },
};
