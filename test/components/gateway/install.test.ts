import { strict as assert } from "assert";
import { CHARTS, envoyGatewayValues } from "../../../components/gateway";

/**
 * Every Helm value passed to gateway-helm, checked by hand against the pinned chart and its EnvoyGateway API
 * (envoyproxy/gateway at v1.8.3). A new value must be checked the same way and added here with its source.
 * - `deployment.pod.nodeSelector`: charts/gateway-helm/values.tmpl.yaml:93-101, templates/envoy-gateway-deployment.yaml:38.
 * - `config.envoyGateway` is merged over the chart's defaults into the EnvoyGateway config
 *   (templates/envoy-gateway-config.yaml); its fields, api/v1alpha1/envoygateway_types.go: gateway.controllerName
 *   (:50, :312), logging.level (:63, :256), provider.type/kubernetes (:57, :340, :346),
 *   kubernetes.rateLimitDeployment (:363, a KubernetesDeploymentSpec: replicas, pod, container in
 *   shared_types.go:106-120; container.env/resources :244, :250; pod.nodeSelector :217),
 *   extensionApis.enableEnvoyPatchPolicy/enableBackend (:119, :323, :326), extensionManager.hooks.xdsTranslator
 *   translation/post (:100, :711-807) and service.fqdn (:813 inlines BackendEndpoint, backend_types.go:58-120), rateLimit.backend.type/redis.url (:91, :567, :641-670)
 *   and rateLimit.failClosed (:575-580).
 */
const VERIFIED = [
    "config.envoyGateway.extensionApis.enableBackend",
    "config.envoyGateway.extensionApis.enableEnvoyPatchPolicy",
    "config.envoyGateway.extensionManager.hooks.xdsTranslator.post",
    "config.envoyGateway.extensionManager.hooks.xdsTranslator.translation.cluster.includeAll",
    "config.envoyGateway.extensionManager.hooks.xdsTranslator.translation.listener.includeAll",
    "config.envoyGateway.extensionManager.hooks.xdsTranslator.translation.route.includeAll",
    "config.envoyGateway.extensionManager.hooks.xdsTranslator.translation.secret.includeAll",
    "config.envoyGateway.extensionManager.service.fqdn.hostname",
    "config.envoyGateway.extensionManager.service.fqdn.port",
    "config.envoyGateway.gateway.controllerName",
    "config.envoyGateway.logging.level.default",
    "config.envoyGateway.provider.kubernetes.rateLimitDeployment.container.env",
    "config.envoyGateway.provider.kubernetes.rateLimitDeployment.container.resources.limits.memory",
    "config.envoyGateway.provider.kubernetes.rateLimitDeployment.container.resources.requests.cpu",
    "config.envoyGateway.provider.kubernetes.rateLimitDeployment.container.resources.requests.memory",
    "config.envoyGateway.provider.kubernetes.rateLimitDeployment.pod.nodeSelector.ai-infra/node-role",
    "config.envoyGateway.provider.kubernetes.rateLimitDeployment.replicas",
    "config.envoyGateway.provider.type",
    "config.envoyGateway.rateLimit.backend.redis.url",
    "config.envoyGateway.rateLimit.backend.type",
    "config.envoyGateway.rateLimit.failClosed",
    "deployment.pod.nodeSelector.ai-infra/node-role",
];

function leaves(value: unknown, prefix = ""): string[] {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return [prefix];
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

describe("Envoy Gateway chart values", () => {
    it("pins the chart of the line AI Gateway v1.1.0 is tested with", () => {
        assert.equal(CHARTS.envoyGateway.version, "v1.8.3");
        assert.equal(CHARTS.aiGateway.version, "v1.1.0");
    });

    it("passes only values checked against gateway-helm v1.8.3 and its EnvoyGateway API", () => {
        for (const clusterMode of [false, true]) for (const failureMode of ["open", "closed"] as const) {
            const values = envoyGatewayValues({ url: "h:6379", secretName: "s", clusterMode, failureMode });
            assert.deepEqual(leaves(values).sort(), [...VERIFIED].sort());
        }
    });
});
