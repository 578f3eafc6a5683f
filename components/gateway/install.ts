import type { RateLimitFailureMode } from "../configGateway";
import { CHARTS, TEAM_HEADER } from "./constants";

/** Label (Prometheus) / attribute (OTel) naming the verified team on the AI Gateway's token metrics. */
export const TEAM_METRIC_LABEL = "team";

export interface RateLimitStore {
    /** `host:port` of the Valkey primary (or configuration) endpoint. */
    url: string;
    /** Kubernetes Secret in Envoy Gateway's namespace with key `password` (the AUTH token). */
    secretName: string;
    clusterMode: boolean;
    /** What Envoy does when the rate-limit service cannot answer (config `rateLimitFailureMode`). */
    failureMode: RateLimitFailureMode;
}

/**
 * Helm values of the Envoy Gateway chart: the integration the AI Gateway needs (extension manager hooks
 * into its controller, Backend and EnvoyPatchPolicy APIs) and global rate limiting on ElastiCache.
 *
 * TLS and AUTH go through the rate limit Deployment's container env, the chart's supported extension
 * point: the EnvoyGateway API has no AUTH field, and its `redis.tls` block mounts a client-certificate
 * volume that only exists with a `certificateRef`. ElastiCache presents a publicly trusted server
 * certificate and wants no client certificate, so REDIS_TLS alone is right. The token is read from the
 * Secret by the kubelet (secretKeyRef), never written into these values.
 *
 * `failClosed` is always written, never left to the default: unset means fail open
 * (api/v1alpha1/envoygateway_types.go:575-580 at v1.8.3), and the translator sets Envoy's
 * `failure_mode_deny` from it (internal/xds/translator/ratelimit.go:152-153), answering 500 while the
 * rate-limit service cannot be reached.
 */
export function envoyGatewayValues(store: RateLimitStore): Record<string, unknown> {
    const env: Record<string, unknown>[] = [
        { name: "REDIS_TLS", value: "true" },
        { name: "REDIS_AUTH", valueFrom: { secretKeyRef: { name: store.secretName, key: "password" } } },
    ];
    if (store.clusterMode) env.push({ name: "REDIS_TYPE", value: "cluster" });
    return {
        config: {
            envoyGateway: {
                gateway: { controllerName: "gateway.envoyproxy.io/gatewayclass-controller" },
                logging: { level: { default: "info" } },
                provider: {
                    type: "Kubernetes",
                    kubernetes: {
                        rateLimitDeployment: {
                            replicas: 2,
                            container: { env, resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } } },
                            pod: { nodeSelector: { "ai-infra/node-role": "system" } },
                        },
                    },
                },
                extensionApis: { enableEnvoyPatchPolicy: true, enableBackend: true },
                extensionManager: {
                    hooks: {
                        xdsTranslator: {
                            translation: { listener: { includeAll: true }, route: { includeAll: true }, cluster: { includeAll: true }, secret: { includeAll: true } },
                            post: ["Translation", "Cluster", "Route"],
                        },
                    },
                    service: { fqdn: { hostname: `ai-gateway-controller.${CHARTS.aiGateway.namespace}.svc.cluster.local`, port: 1063 } },
                },
                rateLimit: { backend: { type: "Redis", redis: { url: store.url } }, failClosed: store.failureMode === "closed" },
            },
        },
        deployment: { pod: { nodeSelector: { "ai-infra/node-role": "system" } } },
    };
}

/** Helm values of the AI Gateway controller chart. */
export function aiGatewayValues(): Record<string, unknown> {
    return {
        controller: {
            nodeSelector: { "ai-infra/node-role": "system" },
            // Token metrics carry the verified team as label `team` (ai-gateway-helm values.yaml:110 at
            // v1.1.0, passed to the controller as --metricsRequestHeaderAttributes): model-spend metering.
            metricsRequestHeaderAttributes: `${TEAM_HEADER}:${TEAM_METRIC_LABEL}`,
        },
    };
}
