import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { INSTANCE_TYPES } from "../components/catalog";
import { TAG_KEYS } from "../components/tags";
import { at, isRecord, stringMap } from "./common";
import { instanceTypesOf, isGpuNodeGroup, NODE_GROUP_TYPE } from "./nodeGroups";

export interface GroupGpus {
    urn: string;
    name: string;
    maxSize: number;
    /** GPUs of the largest listed type: what the group can reach whatever the allocation picks. */
    gpusPerNode: number;
    /** Listed types the catalog does not know: the group cannot be counted. */
    unknownTypes: string[];
}

export interface TeamGpus {
    team: string;
    gpus: number;
    groups: GroupGpus[];
}

/** GPUs each team can reach at max scale: Σ maxSize × GPUs per node over its GPU node groups. */
export function gpuUsage(resources: readonly Pick<PolicyResource, "type" | "urn" | "name" | "props">[]): TeamGpus[] {
    const teams = new Map<string, TeamGpus>();
    for (const r of resources) {
        if (r.type !== NODE_GROUP_TYPE || !isRecord(r.props) || !isGpuNodeGroup(r.props)) continue;
        const team = stringMap(r.props.tags)?.[TAG_KEYS.team] ?? "(untagged)";
        const types = instanceTypesOf(r.props);
        const maxSize = at(r.props, "scalingConfig", "maxSize");
        const group: GroupGpus = {
            urn: r.urn,
            name: typeof r.props.nodeGroupName === "string" ? r.props.nodeGroupName : r.name,
            maxSize: typeof maxSize === "number" && Number.isFinite(maxSize) ? maxSize : 0,
            gpusPerNode: Math.max(0, ...types.map((t) => INSTANCE_TYPES.get(t)?.gpus ?? 0)),
            unknownTypes: types.filter((t) => !INSTANCE_TYPES.has(t)),
        };
        const entry = teams.get(team) ?? { team, gpus: 0, groups: [] };
        entry.gpus += group.maxSize * group.gpusPerNode;
        entry.groups.push(group);
        teams.set(team, entry);
    }
    return [...teams.values()];
}

interface GpuQuotaConfig {
    maxGpusPerTeam?: Record<string, number>;
    defaultMaxGpusPerTeam?: number;
    maxGpusPerEnvironment?: number;
}

const describeGroups = (groups: GroupGpus[]) => groups.map((g) => `${g.name}: ${g.maxSize} x ${g.gpusPerNode} GPU`).join(", ");

export const gpuQuota: StackValidationPolicy = {
    name: "gpu-quota",
    description: "Each team's GPUs at max scale stay within its quota, and the environment's within its cap.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            maxGpusPerTeam: { type: "object", additionalProperties: { type: "integer", minimum: 0 }, default: {}, description: "Quota per team id." },
            defaultMaxGpusPerTeam: { type: "integer", minimum: 0, default: 8 },
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
            for (const g of t.groups.filter((x) => x.unknownTypes.length > 0)) {
                report(`team ${t.team}: node group ${g.name} lists ${g.unknownTypes.join(", ")}, not in the catalog, so its GPUs cannot be counted against the quota`, g.urn);
            }
            const quota = typeof perTeam[t.team] === "number" ? perTeam[t.team] : fallback;
            if (t.gpus > quota) {
                const largest = [...t.groups].sort((a, b) => b.maxSize * b.gpusPerNode - a.maxSize * a.gpusPerNode)[0];
                report(`team ${t.team}: ${t.gpus} GPUs at max scale (${describeGroups(t.groups)}) exceeds its quota of ${quota} GPUs`, largest.urn);
            }
        }
        const total = usage.reduce((n, t) => n + t.gpus, 0);
        if (total > envCap) report(`environment: ${total} GPUs at max scale across ${usage.length} team${usage.length === 1 ? "" : "s"} exceeds the cap of ${envCap} GPUs (maxGpusPerEnvironment)`);
    },
};
