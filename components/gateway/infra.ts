import type { Tier } from "../config";
import { GatewayConfig, listenerTls } from "../configGateway";
import { API_GROUPS, ENVOY_SERVICE_ACCOUNT } from "./constants";
import { K8sObject, ObjectMeta } from "./types";

/** Envoy's admin port serves Prometheus stats on /stats/prometheus. */
export const ENVOY_METRICS_PORT = 19001;

/**
 * Load balancer annotations for Kubernetes' built-in AWS service controller (no extra controller to run):
 * an NLB, internal unless the gateway is public, terminating TLS with the ACM certificate when one is
 * given. Cross-zone balancing spreads clients over the replicas in every zone.
 */
export function loadBalancerAnnotations(gw: Pick<GatewayConfig, "public" | "tls">): Record<string, string> {
    const annotations: Record<string, string> = {
        "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
        "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled": "true",
    };
    if (!gw.public) annotations["service.beta.kubernetes.io/aws-load-balancer-internal"] = "true";
    if (gw.tls?.certificateArn) {
        annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"] = gw.tls.certificateArn;
        annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-ports"] = "443";
        annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy"] = "ELBSecurityPolicy-TLS13-1-2-2021-06";
    }
    return annotations;
}

/**
 * The data plane: Envoy on the system nodes (never on GPU nodes, which are tainted and expensive), spread
 * over zones and hosts, scaled by an HPA on CPU between the configured bounds, protected by a PDB, and
 * scraped by Prometheus-compatible agents.
 */
export function renderEnvoyProxy(name: string, meta: ObjectMeta, gatewayName: string, gw: GatewayConfig): K8sObject {
    const owner = { "gateway.envoyproxy.io/owning-gateway-name": gatewayName, "gateway.envoyproxy.io/owning-gateway-namespace": meta.namespace };
    const spread = (topologyKey: string) => ({ maxSkew: 1, topologyKey, whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: owner } });
    return {
        apiVersion: `${API_GROUPS.envoyGateway}/v1alpha1`,
        kind: "EnvoyProxy",
        metadata: { name, namespace: meta.namespace, labels: meta.labels },
        spec: {
            provider: {
                type: "Kubernetes",
                kubernetes: {
                    envoyServiceAccount: { name: ENVOY_SERVICE_ACCOUNT },
                    envoyDeployment: {
                        pod: {
                            labels: meta.labels,
                            annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": String(ENVOY_METRICS_PORT), "prometheus.io/path": "/stats/prometheus" },
                            nodeSelector: { "ai-infra/node-role": "system" },
                            topologySpreadConstraints: [spread("topology.kubernetes.io/zone"), spread("kubernetes.io/hostname")],
                        },
                        // The CPU limit (4x the request the HPA scales on) gives the saturation alarm its denominator:
                        // container_cpu_utilization_over_container_limit exists only for containers with a limit.
                        container: { resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "2", memory: "1Gi" } } },
                    },
                    envoyHpa: {
                        minReplicas: gw.replicas.min,
                        maxReplicas: gw.replicas.max,
                        metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } } }],
                    },
                    envoyPDB: { minAvailable: 1 },
                    envoyService: {
                        type: "LoadBalancer",
                        annotations: loadBalancerAnnotations(gw),
                        labels: meta.labels,
                        ...(gw.sourceRanges.length > 0 ? { loadBalancerSourceRanges: gw.sourceRanges } : {}),
                    },
                },
            },
            telemetry: { metrics: { prometheus: { disable: false } } },
            // Long generations must finish when a replica is drained (scale-in, node rotation).
            shutdown: { drainTimeout: "600s", minDrainDuration: "10s" },
        },
    };
}

export function renderGatewayClass(name: string, labels: Record<string, string>): K8sObject {
    return {
        apiVersion: `${API_GROUPS.gatewayApi}/v1`,
        kind: "GatewayClass",
        metadata: { name, labels },
        spec: { controllerName: "gateway.envoyproxy.io/gatewayclass-controller" },
    };
}

/** The listener's name is its tier: routes attach to it by `sectionName`, policies target it the same way. */
export const listenerName = (tier: Tier) => tier;

/**
 * One listener per tier, all on the same port, told apart by host name: Envoy selects the virtual host by
 * Host before any filter runs, so the tier of a request is fixed before authentication and can never change
 * afterwards (README, Gateway tiers). HTTP on 443 behind an NLB that terminates TLS with ACM; HTTPS on 443
 * with the tier's (or the gateway's) Secret when Envoy terminates; plain HTTP on 80 only where config
 * allowed it (dev). Without admitted teams a single batch listener keeps the Gateway valid.
 */
export function renderGateway(name: string, meta: ObjectMeta, className: string, envoyProxyName: string, gw: GatewayConfig, tiers: readonly Tier[]): K8sObject {
    const allowedRoutes = { namespaces: { from: "Same" } };
    const listeners = (tiers.length > 0 ? tiers : (["batch"] as Tier[])).map((tier) => {
        const hostname = gw.tiers[tier]?.hostname ? { hostname: gw.tiers[tier]!.hostname } : {};
        const tls = listenerTls(gw, tier);
        const base = { name: listenerName(tier), ...hostname, allowedRoutes };
        if (tls?.secretName) return { ...base, protocol: "HTTPS", port: 443, tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: tls.secretName }] } };
        if (tls?.insecureHttp) return { ...base, protocol: "HTTP", port: 80 };
        return { ...base, protocol: "HTTP", port: 443 };
    });
    return {
        apiVersion: `${API_GROUPS.gatewayApi}/v1`,
        kind: "Gateway",
        metadata: { name, namespace: meta.namespace, labels: meta.labels },
        spec: {
            gatewayClassName: className,
            infrastructure: { parametersRef: { group: API_GROUPS.envoyGateway, kind: "EnvoyProxy", name: envoyProxyName } },
            listeners,
        },
    };
}
