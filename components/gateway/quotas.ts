import type { TeamConfig, Tier } from "../config";
import type { GatewayConfig } from "../configGateway";
import { AI_METADATA_NAMESPACE, API_GROUPS, API_KEY_HEADER, QUOTA_TOKEN_KEY, TEAM_HEADER } from "./constants";
import { listenerName } from "./infra";
import { K8sObject, ObjectMeta } from "./types";

export const keysSecretName = (tier: Tier) => `team-api-keys-${tier}`;
/** Annotation on a tier's key Secret listing its team ids (never the keys). */
export const ADMITTED_TEAMS_ANNOTATION = "ai-infra/admitted-teams";

/**
 * Who may use a tier's routes: the production route admits production teams only; the batch route
 * admits every admitted team (a production team's offline jobs belong there).
 */
export function teamsAdmitted(tier: Tier, teams: readonly TeamConfig[]): TeamConfig[] {
    return teams.filter((t) => t.gateway !== undefined && (tier === "batch" || t.gateway.tier === "production"));
}

const routeRefs = (routes: readonly string[]) => routes.map((name) => ({ group: API_GROUPS.gatewayApi, kind: "HTTPRoute", name }));

/**
 * API-key authentication on a tier's listener, so every route that listener serves (the model rules and
 * the AI Gateway's catch-all `route-not-found` rule alike) carries the same credentials: whichever route
 * matches before the model is known, the key is judged against this tier's teams, once.
 * Envoy Gateway v1.8.3 applies a listener-targeted policy to every route of that listener that has no
 * route-level policy of its own (internal/gatewayapi/securitypolicy.go:1204-1206, 1238-1247); this
 * project creates none. The key is matched against the Secret whose keys are team ids; the verified id
 * replaces any client-sent `x-ai-infra-team` header, the key itself is stripped before the upstream. A
 * request without a key valid on this listener gets 401 before it reaches a rate limit or a model.
 */
export function renderSecurityPolicy(tier: Tier, gatewayName: string, meta: ObjectMeta): K8sObject {
    return {
        apiVersion: `${API_GROUPS.envoyGateway}/v1alpha1`,
        kind: "SecurityPolicy",
        metadata: { name: `team-auth-${tier}`, namespace: meta.namespace, labels: meta.labels },
        spec: {
            targetRefs: [{ group: API_GROUPS.gatewayApi, kind: "Gateway", name: gatewayName, sectionName: listenerName(tier) }],
            apiKeyAuth: {
                credentialRefs: [{ group: "", kind: "Secret", name: keysSecretName(tier) }],
                extractFrom: [{ headers: [API_KEY_HEADER] }],
                forwardClientIDHeader: TEAM_HEADER,
                sanitize: true,
            },
        },
    };
}

export interface TeamRateRules {
    team: string;
    requestsPerMinute: number;
    tokensPerMinute: number;
}

export function teamRateRules(teams: readonly TeamConfig[]): TeamRateRules[] {
    return teams.filter((t) => t.gateway).map((t) => ({ team: t.id, requestsPerMinute: t.gateway!.requestsPerMinute, tokensPerMinute: t.gateway!.tokensPerMinute }));
}

/**
 * Per-team global limits, on the Gateway so they hold on every route, with shared buckets so a team's
 * quota is one quota whichever route it uses: requests per minute counted on the way in, and tokens per
 * minute read from the response's token usage (the AI Gateway's `llm_quota_token`). A token-exhausted team
 * is refused at its next request; a stream already admitted is never cut.
 */
export function renderRateLimitPolicy(gatewayName: string, teams: readonly TeamConfig[], meta: ObjectMeta): K8sObject {
    const rules = teamRateRules(teams).flatMap((t) => {
        const selector = [{ headers: [{ name: TEAM_HEADER, type: "Exact", value: t.team }] }];
        return [
            { clientSelectors: selector, limit: { requests: t.requestsPerMinute, unit: "Minute" }, shared: true },
            {
                clientSelectors: selector,
                limit: { requests: t.tokensPerMinute, unit: "Minute" },
                cost: {
                    request: { from: "Number", number: 0 },
                    response: { from: "Metadata", metadata: { namespace: AI_METADATA_NAMESPACE, key: QUOTA_TOKEN_KEY } },
                },
                shared: true,
            },
        ];
    });
    return {
        apiVersion: `${API_GROUPS.envoyGateway}/v1alpha1`,
        kind: "BackendTrafficPolicy",
        metadata: { name: "team-rate-limits", namespace: meta.namespace, labels: meta.labels },
        spec: {
            targetRefs: [{ group: API_GROUPS.gatewayApi, kind: "Gateway", name: gatewayName }],
            rateLimit: { type: "Global", global: { rules } },
        },
    };
}

/**
 * How each tier treats its upstreams, merged into the Gateway's policy. Under overload batch hits its
 * smaller concurrency ceiling first and is shed with 503 while production keeps its headroom.
 *
 * Fallback on retry: `numAttemptsPerPriority: 1` makes Envoy Gateway add Envoy's previous_priorities retry
 * predicate (internal/xds/translator/route.go:811-819 at v1.8.3), so each retry goes to the next backend
 * in the route's priority order instead of back to priority 0 (as AI Gateway's
 * examples/provider_fallback/fallback.yaml does). `numRetries` is the route's deepest fallback chain, so
 * a request can reach its last backend. Retries happen only where the model has not answered: connect
 * failures (a Service at zero endpoints), resets before a response, refused streams and 503, within a
 * 20 % budget so a struggling provider is not hammered; an upstream failing five times in a row is also
 * ejected for 30 s (growing), so later requests skip it without a failed attempt.
 */
export function renderTierTrafficPolicy(tier: Tier, routes: readonly string[], gw: GatewayConfig, meta: ObjectMeta, priorities: number): K8sObject {
    const parallel = gw.maxParallelRequests[tier];
    return {
        apiVersion: `${API_GROUPS.envoyGateway}/v1alpha1`,
        kind: "BackendTrafficPolicy",
        metadata: { name: `tier-${tier}`, namespace: meta.namespace, labels: meta.labels },
        spec: {
            targetRefs: routeRefs(routes),
            mergeType: "StrategicMerge",
            circuitBreaker: {
                maxConnections: parallel,
                maxParallelRequests: parallel,
                maxPendingRequests: tier === "production" ? parallel : Math.max(1, Math.floor(parallel / 4)),
                retryBudget: { percent: { numerator: 20 }, minRetryConcurrency: 3 },
            },
            retry: {
                numRetries: Math.max(1, priorities - 1),
                numAttemptsPerPriority: 1,
                retryOn: { triggers: ["connect-failure", "reset", "refused-stream", "retriable-status-codes"], httpStatusCodes: [503] },
                // Each retry goes to another backend, so a long back-off would only add latency.
                perRetry: { backOff: { baseInterval: "100ms", maxInterval: "1s" } },
            },
            healthCheck: { passive: { consecutive5XxErrors: 5, consecutiveGatewayErrors: 5, interval: "10s", baseEjectionTime: "30s", maxEjectionPercent: 100 } },
            timeout: { tcp: { connectTimeout: "5s" }, http: { connectionIdleTimeout: "300s" } },
        },
    };
}
