/**
 * Pinned control-plane versions. Envoy Gateway stays on the line the AI Gateway release is built and
 * end-to-end tested with: AI Gateway v1.1.0's go.mod requires github.com/envoyproxy/gateway v1.8.1 and its
 * e2e matrix (.github/workflows/build_and_test.yaml) runs v1.8.1 only, so v1.8.3 (that line's latest patch).
 * Move Envoy Gateway to a newer minor when an AI Gateway release lists it as its dependency (README).
 */
export const CHARTS = {
    envoyGateway: { chart: "oci://docker.io/envoyproxy/gateway-helm", version: "v1.8.3", namespace: "envoy-gateway-system", release: "eg" },
    aiGatewayCrds: { chart: "oci://docker.io/envoyproxy/ai-gateway-crds-helm", version: "v1.1.0", namespace: "envoy-ai-gateway-system", release: "aieg-crd" },
    aiGateway: { chart: "oci://docker.io/envoyproxy/ai-gateway-helm", version: "v1.1.0", namespace: "envoy-ai-gateway-system", release: "aieg" },
} as const;

/** Envoy Gateway's namespace: its rate limit service and the Envoy pods run here. */
export const GATEWAY_SYSTEM_NAMESPACE = CHARTS.envoyGateway.namespace;
/** Where our Gateway, routes, policies and their Secrets live. */
export const ROUTES_NAMESPACE = "ai-gateway";
export const GATEWAY_NAME = "ai-gateway";
export const ENVOY_SERVICE_ACCOUNT = "ai-gateway-envoy";

/** Clients send their team's API key here; the verified team id is forwarded in TEAM_HEADER. */
export const API_KEY_HEADER = "x-api-key";
export const TEAM_HEADER = "x-ai-infra-team";
/** Set by the AI Gateway from the request body's `model`. */
export const MODEL_HEADER = "x-ai-eg-model";

export const AI_METADATA_NAMESPACE = "io.envoy.ai_gateway";
export const TOTAL_TOKEN_KEY = "llm_total_token";
/** Tokens as the quota counts them: cached input tokens at a tenth (see QUOTA_TOKEN_CEL). */
export const QUOTA_TOKEN_KEY = "llm_quota_token";
/**
 * Provider-side prompt caching is the closest supported thing to a response cache: reward it by counting
 * cached input tokens at 10 %, as OpenAI and Bedrock discount them. The guard keeps the unsigned
 * arithmetic from underflowing on a provider that reports cached tokens outside input tokens.
 */
export const QUOTA_TOKEN_CEL = "cached_input_tokens <= input_tokens ? input_tokens - cached_input_tokens + cached_input_tokens / uint(10) + output_tokens : total_tokens";

/** The AI Gateway rejects AIGatewayRoutes with more rules than this. */
export const MAX_RULES_PER_ROUTE = 15;

export const API_GROUPS = {
    gatewayApi: "gateway.networking.k8s.io",
    envoyGateway: "gateway.envoyproxy.io",
    aiGateway: "aigateway.envoyproxy.io",
} as const;
