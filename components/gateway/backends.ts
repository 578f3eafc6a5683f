import type { NodeGroupConfig } from "../config";
import type { GatewayBackendConfig } from "../configGateway";
import { backendModelId } from "../configGatewayBackends";
import { BEDROCK_PROFILE_PREFIX } from "../modelPrices";
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

/**
 * How a backend ranks in a tier's fallback order: providers are always up; an in-cluster backend is as warm
 * as its node group. A group "from zero" is one that can have no node at some time of day (minSize 0, or a
 * schedule lowering it to 0): its Service then has no endpoints and every attempt fails to connect.
 */
export type BackendRank = "on-demand-gpu" | "spot-gpu" | "on-demand-gpu-from-zero" | "spot-gpu-from-zero" | "provider";

/** A node group keeps at least one node at all times: its minSize, and every schedule's, is at least 1. */
export function hasWarmFloor(g: Pick<NodeGroupConfig, "minSize" | "schedules">): boolean {
    return g.minSize >= 1 && g.schedules.every((s) => s.minSize >= 1);
}

export function rankOf(b: GatewayBackendConfig, nodeGroups: readonly NodeGroupConfig[]): BackendRank {
    if (b.provider !== "in-cluster") return "provider";
    const group = nodeGroups.find((g) => g.name === b.nodeGroup);
    const capacity = group?.capacity === "on-demand" ? "on-demand-gpu" : "spot-gpu";
    return group && hasWarmFloor(group) ? capacity : `${capacity}-from-zero`;
}

/**
 * Fallback order per tier, first tried first (Envoy priority levels). Production uses warm GPUs (on-demand,
 * then spot), then paid providers, and GPUs that can be at zero only after those: a cold first priority
 * would cost every production request a failed attempt. Batch uses spot GPUs first (warm, then from zero:
 * the nightly windows are what it is for), then providers, and on-demand GPUs only as the last resort.
 * Every failed attempt moves to the next priority (`numAttemptsPerPriority: 1` in the tier's policy).
 */
export const TIER_ORDER: Readonly<Record<"production" | "batch", readonly BackendRank[]>> = {
    production: ["on-demand-gpu", "spot-gpu", "provider", "on-demand-gpu-from-zero", "spot-gpu-from-zero"],
    batch: ["spot-gpu", "spot-gpu-from-zero", "provider", "on-demand-gpu", "on-demand-gpu-from-zero"],
};

export interface ModelRoute {
    model: string;
    /** Backend names, in fallback order. */
    backends: string[];
    /** Backend name → the id that backend is sent instead of `model` (only where they differ). */
    modelIds?: Record<string, string>;
}

export function modelRoutes(tier: "production" | "batch", backends: readonly GatewayBackendConfig[], nodeGroups: readonly NodeGroupConfig[]): ModelRoute[] {
    const models = [...new Set(backends.flatMap((b) => b.models))].sort();
    const order = TIER_ORDER[tier];
    return models.map((model) => {
        const serving = backends.filter((b) => b.models.includes(model));
        // A stable sort keeps the config's order among backends of the same rank.
        const ranked = [...serving].sort((a, b) => order.indexOf(rankOf(a, nodeGroups)) - order.indexOf(rankOf(b, nodeGroups)));
        const ids = Object.fromEntries(ranked.map((b) => [b.name, backendModelId(b, model)]).filter(([, id]) => id !== model));
        return { model, backends: ranked.map((b) => b.name), ...(Object.keys(ids).length > 0 ? { modelIds: ids } : {}) };
    });
}

/**
 * What the gateway's Bedrock role may invoke: exactly the routed models. An in-region id runs in its
 * backend's region. A cross-region inference profile (`us.`, `global.`...) is invoked in the source region
 * and Bedrock runs the base model in any destination region of the profile, so the role needs the profile
 * in the source region and the foundation model in every region ("Prerequisites for inference profiles",
 * Amazon Bedrock user guide, whose example allows `arn:aws:bedrock:*::foundation-model/*`). Without the
 * latter, requests that Bedrock routes to another region are denied.
 */
export function bedrockInvokeResources(backends: readonly Pick<GatewayBackendConfig, "provider" | "models" | "region" | "modelIds">[], stackRegion: string): string[] {
    const arns = new Set<string>();
    for (const b of backends.filter((x) => x.provider === "aws-bedrock")) {
        const region = b.region ?? stackRegion;
        for (const model of b.models.map((m) => backendModelId(b, m))) {
            if (BEDROCK_PROFILE_PREFIX.test(model)) {
                arns.add(`arn:aws:bedrock:${region}:*:inference-profile/${model}`);
                arns.add(`arn:aws:bedrock:*::foundation-model/${model.replace(BEDROCK_PROFILE_PREFIX, "")}`);
            } else {
                arns.add(`arn:aws:bedrock:${region}::foundation-model/${model}`);
            }
        }
    }
    return [...arns];
}
