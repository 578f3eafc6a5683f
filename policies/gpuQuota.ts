import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { CapacityResource, computeCapacity, describeUnit, gpusByTeam, TeamGpus, unitLabel } from "../components/gpuCapacity";
import { isRecord } from "./common";

export type { TeamGpus } from "../components/gpuCapacity";

/** Where this project keeps the policy config; messages name it so a reader knows which file to edit. */
export const POLICY_CONFIG_HINT = "the policy pack config (here policies/config/<environment>.json)";

type StackResource = Pick<PolicyResource, "type" | "urn" | "name" | "props"> & Partial<Pick<PolicyResource, "provider" | "dependencies">>;

/** Stack-policy resources as capacity counting reads them: the provider's props for tags and region, dependencies by URN. */
export function capacityResources(resources: readonly StackResource[]): CapacityResource[] {
    return resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.props, providerProps: r.provider?.props, dependencies: (r.dependencies ?? []).map((d) => d.urn) }));
}

/**
 * GPUs each team can reach at max scale, from node groups, Auto Scaling groups and EC2 instances alike;
 * the team is the effective `team` tag (the provider's default tags included).
 */
export function gpuUsage(resources: readonly StackResource[]): TeamGpus[] {
    return gpusByTeam(computeCapacity(capacityResources(resources)));
}

interface GpuQuotaConfig {
    maxGpusPerTeam?: Record<string, number>;
    defaultMaxGpusPerTeam?: number;
    maxGpusPerEnvironment?: number;
}

export const gpuQuota: StackValidationPolicy = {
    name: "gpu-quota",
    description: "Each team's GPUs at max scale (node groups, Auto Scaling groups, EC2 instances) stay within its quota, and the environment's within its cap.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            maxGpusPerTeam: { type: "object", additionalProperties: { type: "integer", minimum: 0 }, default: {}, description: "Quota per team id." },
            defaultMaxGpusPerTeam: { type: "integer", minimum: 0, default: 8, description: "Quota of a team without an entry in maxGpusPerTeam." },
            maxGpusPerEnvironment: { type: "integer", minimum: 0, default: 32 },
        },
    },
    validateStack: (args, report) => {
        const cfg = args.getConfig<GpuQuotaConfig>();
        const perTeam = isRecord(cfg.maxGpusPerTeam) ? cfg.maxGpusPerTeam : {};
        const fallback = typeof cfg.defaultMaxGpusPerTeam === "number" ? cfg.defaultMaxGpusPerTeam : 8;
        const envCap = typeof cfg.maxGpusPerEnvironment === "number" ? cfg.maxGpusPerEnvironment : 32;
        const usage = gpuUsage(args.resources);
        for (const t of usage) {
            for (const u of t.units.filter((x) => x.unknownTypes.length > 0)) {
                report(`team ${t.team}: ${unitLabel(u)} lists ${u.unknownTypes.join(", ")}, not in the catalog, so its GPUs cannot be counted against the quota`, u.urn);
            }
            const own = typeof perTeam[t.team] === "number";
            const quota = own ? perTeam[t.team] : fallback;
            if (t.gpus > quota) {
                const largest = [...t.units].sort((a, b) => b.maxNodes * b.gpusPerNode - a.maxNodes * a.gpusPerNode)[0];
                const key = own ? `gpu-quota.maxGpusPerTeam["${t.team}"]` : `gpu-quota.defaultMaxGpusPerTeam (team ${t.team} has no entry in gpu-quota.maxGpusPerTeam)`;
                report(`team ${t.team}: ${t.gpus} GPUs at max scale (${t.units.map(describeUnit).join(", ")}) exceeds its quota of ${quota} GPUs; the quota is ${key} in ${POLICY_CONFIG_HINT}`, largest.urn);
            }
        }
        const total = usage.reduce((n, t) => n + t.gpus, 0);
        if (total > envCap) report(`environment: ${total} GPUs at max scale across ${usage.length} team${usage.length === 1 ? "" : "s"} exceeds the cap of ${envCap} GPUs; the cap is gpu-quota.maxGpusPerEnvironment in ${POLICY_CONFIG_HINT}`);
    },
};
