import type { NodeGroupConfig, TeamConfig, Tier } from "../config";
import { GatewayConfig, listenerTiers } from "../configGateway";
import { modelRoutes, renderBackend } from "./backends";
import { GATEWAY_NAME } from "./constants";
import { renderEnvoyProxy, renderGateway, renderGatewayClass } from "./infra";
import { renderRateLimitPolicy, renderSecurityPolicy, renderTierTrafficPolicy, teamsAdmitted } from "./quotas";
import { renderRoutes } from "./routes";
import { K8sObject, ObjectMeta } from "./types";

export interface GatewayPlanInput {
    config: GatewayConfig;
    teams: readonly TeamConfig[];
    nodeGroups: readonly NodeGroupConfig[];
    region: string;
    meta: ObjectMeta;
}

export interface TierPlan {
    tier: Tier;
    /** Team ids admitted on this tier's routes. */
    teams: string[];
    routes: K8sObject[];
    securityPolicy: K8sObject;
    trafficPolicy: K8sObject;
}

export interface GatewayPlan {
    envoyProxy: K8sObject;
    gatewayClass: K8sObject;
    gateway: K8sObject;
    /** Per configured backend: Backend, AIServiceBackend and (providers) BackendSecurityPolicy. */
    backends: { name: string; objects: K8sObject[] }[];
    tiers: TierPlan[];
    /** Per-team request and token limits; absent when no team is admitted. */
    rateLimitPolicy?: K8sObject;
}

/** Every custom resource of the gateway, from config alone: the component only turns this into resources. */
export function planGateway(input: GatewayPlanInput): GatewayPlan {
    const { config, meta } = input;
    const admitted = input.teams.filter((t) => t.gateway);
    const tiers: TierPlan[] = [];
    if (config.backends.length > 0) {
        for (const tier of ["production", "batch"] as Tier[]) {
            const teams = teamsAdmitted(tier, admitted);
            if (teams.length === 0) continue;
            const models = modelRoutes(tier, config.backends, input.nodeGroups);
            const routes = renderRoutes(tier, models, meta, GATEWAY_NAME);
            const names = routes.map((r) => r.metadata.name);
            tiers.push({
                tier,
                teams: teams.map((t) => t.id),
                routes,
                securityPolicy: renderSecurityPolicy(tier, GATEWAY_NAME, meta),
                trafficPolicy: renderTierTrafficPolicy(tier, names, config, meta, Math.max(...models.map((m) => m.backends.length))),
            });
        }
    }
    return {
        envoyProxy: renderEnvoyProxy(GATEWAY_NAME, meta, GATEWAY_NAME, config),
        gatewayClass: renderGatewayClass(GATEWAY_NAME, meta.labels),
        gateway: renderGateway(GATEWAY_NAME, meta, GATEWAY_NAME, GATEWAY_NAME, config, listenerTiers(admitted.map((t) => t.gateway!.tier))),
        backends: config.backends.map((b) => ({ name: b.name, objects: renderBackend(b, meta, input.region) })),
        tiers,
        ...(admitted.length > 0 ? { rateLimitPolicy: renderRateLimitPolicy(GATEWAY_NAME, admitted, meta) } : {}),
    };
}

/** All custom resources of a plan, in dependency order. */
export function planObjects(plan: GatewayPlan): K8sObject[] {
    return [
        plan.envoyProxy, plan.gatewayClass, plan.gateway,
        ...plan.backends.flatMap((b) => b.objects),
        ...plan.tiers.flatMap((t) => [...t.routes, t.securityPolicy, t.trafficPolicy]),
        ...(plan.rateLimitPolicy ? [plan.rateLimitPolicy] : []),
    ];
}
