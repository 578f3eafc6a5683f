import type { Tier } from "../config";
import { ModelRoute } from "./backends";
import { API_GROUPS, MAX_RULES_PER_ROUTE, MODEL_HEADER, QUOTA_TOKEN_CEL, QUOTA_TOKEN_KEY, TOTAL_TOKEN_KEY } from "./constants";
import { listenerName } from "./infra";
import { K8sObject, ObjectMeta } from "./types";

/**
 * Long generations stream for minutes: allow ten minutes for a whole response, and five between two
 * chunks so a reasoning model's silent thinking is not cut, while a dead upstream still frees its slot.
 */
export const ROUTE_TIMEOUTS = { request: "600s", streamIdle: "300s" } as const;

export const LLM_REQUEST_COSTS = [
    { metadataKey: "llm_input_token", type: "InputToken" },
    { metadataKey: "llm_cached_input_token", type: "CachedInputToken" },
    { metadataKey: "llm_output_token", type: "OutputToken" },
    { metadataKey: TOTAL_TOKEN_KEY, type: "TotalToken" },
    { metadataKey: QUOTA_TOKEN_KEY, type: "CEL", cel: QUOTA_TOKEN_CEL },
] as const;

export function routeNames(tier: Tier, models: number): string[] {
    const count = Math.max(1, Math.ceil(models / MAX_RULES_PER_ROUTE));
    return Array.from({ length: count }, (_, i) => (count === 1 ? `ai-${tier}` : `ai-${tier}-${i}`));
}

/**
 * The tier's AIGatewayRoutes: one rule per model, its backends in fallback order (Envoy priorities
 * 0, 1, 2...), attached to the tier's listener only (`sectionName`). Nothing a client sends selects the
 * tier: the host name chose the listener, whose SecurityPolicy admits that tier's keys alone. The routes
 * carry no host names of their own, so they answer exactly for their listener's. Split in routes of 15
 * rules, the AI Gateway's limit.
 */
export function renderRoutes(tier: Tier, models: readonly ModelRoute[], meta: ObjectMeta, gatewayName: string): K8sObject[] {
    const names = routeNames(tier, models.length);
    return names.map((name, i) => ({
        apiVersion: `${API_GROUPS.aiGateway}/v1beta1`,
        kind: "AIGatewayRoute",
        metadata: { name, namespace: meta.namespace, labels: { ...meta.labels, "ai-infra/tier": tier } },
        spec: {
            parentRefs: [{ name: gatewayName, kind: "Gateway", group: API_GROUPS.gatewayApi, sectionName: listenerName(tier) }],
            rules: models.slice(i * MAX_RULES_PER_ROUTE, (i + 1) * MAX_RULES_PER_ROUTE).map((m) => ({
                matches: [{ headers: [{ type: "Exact", name: MODEL_HEADER, value: m.model }] }],
                // A backend that knows the model under another id is sent that id (AI Gateway replaces the request's model).
                backendRefs: m.backends.map((backend, priority) => ({ name: backend, priority, ...(m.modelIds?.[backend] ? { modelNameOverride: m.modelIds[backend] } : {}) })),
                timeouts: { request: ROUTE_TIMEOUTS.request },
                streamIdleTimeout: ROUTE_TIMEOUTS.streamIdle,
            })),
            llmRequestCosts: LLM_REQUEST_COSTS.map((c) => ({ ...c })),
        },
    }));
}
