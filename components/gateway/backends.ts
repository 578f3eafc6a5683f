import type { NodeGroupConfig } from "../config";
import type { GatewayBackendConfig } from "../configGateway";
import { API_GROUPS } from "./constants";
import { K8sObject, ObjectMeta } from "./types";

/** Name of the Kubernetes Secret holding an upstream provider's API key (key `apiKey`). */
export const providerKeySecretName = (backend: string) => `${backend}-provider-key`;

function upstream(b: GatewayBackendConfig, region: string): { hostname: string; port: number; tls: boolean } {
    switch (b.provider) {
        case "openai":
            return { hostname: b.hostname ?? "api.openai.com", port: 443, tls: true };
        case "aws-bedrock":
            return { hostname: `bedrock-runtime.${b.region ?? region}.amazonaws.com`, port: 443, tls: true };
        case "in-cluster":
            return { hostname: `${b.service!.name}.${b.service!.namespace}.svc.cluster.local`, port: b.service!.port, tls: false };
    }
}

/**
 * An upstream as the AI Gateway sees it: an Envoy Gateway `Backend` (where; TLS with the system CAs for
 * providers), an `AIServiceBackend` (which API schema to translate to) and, for providers, a
 * `BackendSecurityPolicy` (how to authenticate: the API key Secret, or AWS SigV4 with the Envoy pods'
 * own IAM role through EKS Pod Identity, so no AWS key exists anywhere).
 */
export function renderBackend(b: GatewayBackendConfig, meta: ObjectMeta, region: string): K8sObject[] {
    const up = upstream(b, region);
    const objects: K8sObject[] = [
        {
            apiVersion: `${API_GROUPS.envoyGateway}/v1alpha1`,
            kind: "Backend",
            metadata: { name: b.name, namespace: meta.namespace, labels: meta.labels },
            spec: {
                endpoints: [{ fqdn: { hostname: up.hostname, port: up.port } }],
                ...(up.tls ? { tls: { wellKnownCACertificates: "System", sni: up.hostname, minVersion: "1.2" } } : {}),
            },
        },
        {
            apiVersion: `${API_GROUPS.aiGateway}/v1beta1`,
            kind: "AIServiceBackend",
            metadata: { name: b.name, namespace: meta.namespace, labels: meta.labels },
            spec: {
                // vLLM, TGI, SGLang and Triton's OpenAI front end all speak the OpenAI API.
                schema: { name: b.provider === "aws-bedrock" ? "AWSBedrock" : "OpenAI" },
                backendRef: { name: b.name, kind: "Backend", group: API_GROUPS.envoyGateway },
            },
        },
    ];
    const target = [{ group: API_GROUPS.aiGateway, kind: "AIServiceBackend", name: b.name }];
    if (b.provider === "openai") {
        objects.push({
            apiVersion: `${API_GROUPS.aiGateway}/v1beta1`,
            kind: "BackendSecurityPolicy",
            metadata: { name: b.name, namespace: meta.namespace, labels: meta.labels },
            spec: { type: "APIKey", apiKey: { secretRef: { name: providerKeySecretName(b.name) } }, targetRefs: target },
        });
    } else if (b.provider === "aws-bedrock") {
        objects.push({
            apiVersion: `${API_GROUPS.aiGateway}/v1beta1`,
            kind: "BackendSecurityPolicy",
            metadata: { name: b.name, namespace: meta.namespace, labels: meta.labels },
            spec: { type: "AWSCredentials", awsCredentials: { region: b.region ?? region }, targetRefs: target },
        });
    }
    return objects;
}

export type BackendRank = "on-demand-gpu" | "spot-gpu" | "provider";

export function rankOf(b: GatewayBackendConfig, nodeGroups: readonly NodeGroupConfig[]): BackendRank {
    if (b.provider !== "in-cluster") return "provider";
    return nodeGroups.find((g) => g.name === b.nodeGroup)?.capacity === "on-demand" ? "on-demand-gpu" : "spot-gpu";
}

/**
 * Fallback order per tier, first tried first (Envoy priority levels): production uses its reserved
 * on-demand GPUs first, then spot GPUs, then paid providers; batch uses spot GPUs, then providers, and
 * on-demand GPUs only as the last resort.
 */
export const TIER_ORDER: Readonly<Record<"production" | "batch", readonly BackendRank[]>> = {
    production: ["on-demand-gpu", "spot-gpu", "provider"],
    batch: ["spot-gpu", "provider", "on-demand-gpu"],
};

export interface ModelRoute {
    model: string;
    /** Backend names, in fallback order. */
    backends: string[];
}

export function modelRoutes(tier: "production" | "batch", backends: readonly GatewayBackendConfig[], nodeGroups: readonly NodeGroupConfig[]): ModelRoute[] {
    const models = [...new Set(backends.flatMap((b) => b.models))].sort();
    const order = TIER_ORDER[tier];
    return models.map((model) => {
        const serving = backends.filter((b) => b.models.includes(model));
        // A stable sort keeps the config's order among backends of the same rank.
        const ranked = [...serving].sort((a, b) => order.indexOf(rankOf(a, nodeGroups)) - order.indexOf(rankOf(b, nodeGroups)));
        return { model, backends: ranked.map((b) => b.name) };
    });
}
