import { INSTANCE_TYPES, InstanceFacts } from "./catalog";
import type { Capacity, NodeGroupConfig } from "./config";
import { Checker } from "./validate";

const NODE_GROUP_KEYS = ["team", "capacity", "instanceTypes", "minSize", "maxSize", "desiredSize", "diskSizeGiB"];
const CAPACITY_VALUES: readonly Capacity[] = ["on-demand", "spot"];
/** EKS allows at most 20 instance types per managed node group. */
export const MAX_INSTANCE_TYPES = 20;
export const MAX_NODES_PER_GROUP = 1000;

/**
 * Why a set of instance types cannot share one node group, or undefined when it can. The Cluster
 * Autoscaler sizes a group from one template node, so every type must offer the same GPUs, vCPUs and
 * memory, and one AMI type means one architecture.
 */
export function instanceTypeMismatch(types: readonly InstanceFacts[]): string | undefined {
    if (types.length < 2) return undefined;
    const [first] = types;
    const describe = (f: InstanceFacts) => `${f.name}: ${f.gpus} GPU, ${f.vcpu} vCPU, ${f.memoryGiB} GiB, ${f.architecture}`;
    const differs = types.some((t) => t.gpus !== first.gpus || t.vcpu !== first.vcpu || t.memoryGiB !== first.memoryGiB || t.architecture !== first.architecture);
    return differs
        ? `all instance types of one group must have the same GPU count, vCPU, memory and architecture (${types.map(describe).join("; ")})`
        : undefined;
}

export function parseNodeGroups(c: Checker, p: string, value: unknown, teams: Set<string>): NodeGroupConfig[] {
    const groups: NodeGroupConfig[] = [];
    for (const [name, raw] of c.namedMap(p, value, "node group")) {
        const gp = `${p}.${name}`;
        const o = c.object(gp, raw, NODE_GROUP_KEYS);
        if (!o) continue;
        const team = c.string(`${gp}.team`, o.team);
        if (team !== undefined && !teams.has(team)) {
            c.fail(`${gp}.team`, team, `must name a team of ai-infra:teams (${[...teams].join(", ") || "none defined"})`);
        }
        const capacity = c.string(`${gp}.capacity`, o.capacity, { oneOf: CAPACITY_VALUES }) as Capacity | undefined;
        const instanceTypes = c.stringList(`${gp}.instanceTypes`, o.instanceTypes, (ip, t) => {
            if (typeof t === "string" && INSTANCE_TYPES.get(t)?.gpus === 0) {
                c.fail(ip, t, "must be a GPU instance type; general-purpose types belong in cluster.systemNodes");
                return undefined;
            }
            return c.string(ip, t, { oneOf: [...INSTANCE_TYPES.values()].filter((f) => f.gpus > 0).map((f) => f.name) });
        });
        if (instanceTypes && instanceTypes.length > MAX_INSTANCE_TYPES) {
            c.fail(`${gp}.instanceTypes`, instanceTypes, `EKS accepts at most ${MAX_INSTANCE_TYPES} instance types per node group`);
        }
        const facts = (instanceTypes ?? []).map((t) => INSTANCE_TYPES.get(t)).filter((f): f is InstanceFacts => f !== undefined);
        const mismatch = instanceTypeMismatch(facts);
        if (mismatch) c.fail(`${gp}.instanceTypes`, instanceTypes, mismatch);
        const minSize = c.integer(`${gp}.minSize`, o.minSize, 0, MAX_NODES_PER_GROUP);
        const maxSize = c.integer(`${gp}.maxSize`, o.maxSize, Math.max(minSize ?? 0, 1), MAX_NODES_PER_GROUP,
            `must be an integer >= minSize (${minSize ?? 0}) and >= 1, at most ${MAX_NODES_PER_GROUP}`);
        const desiredSize = c.integer(`${gp}.desiredSize`, o.desiredSize ?? minSize, minSize ?? 0, maxSize ?? MAX_NODES_PER_GROUP,
            `must be an integer from minSize (${minSize ?? 0}) to maxSize (${maxSize ?? "?"})`);
        const diskSizeGiB = c.integer(`${gp}.diskSizeGiB`, o.diskSizeGiB ?? 200, 50, 16384, "must be an integer from 50 to 16384 GiB (model images need room)");
        if (team && capacity && instanceTypes && minSize !== undefined && maxSize !== undefined && desiredSize !== undefined && diskSizeGiB !== undefined) {
            groups.push({ name, team, capacity, instanceTypes, minSize, maxSize, desiredSize, diskSizeGiB });
        }
    }
    return groups;
}
