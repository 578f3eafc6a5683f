import { INSTANCE_TYPES, InstanceFacts } from "./catalog";
import type { Capacity, NodeGroupConfig, PredictiveScalingConfig, ScheduleConfig } from "./config";
import { Checker, DNS_LABEL } from "./validate";

const NODE_GROUP_KEYS = ["team", "capacity", "instanceTypes", "minSize", "maxSize", "desiredSize", "diskSizeGiB", "schedules", "predictiveScaling"];
// Auto Scaling takes Unix cron: digits, `*`, `,`, `-`, `/`, and month or weekday names.
const CRON_FIELD = [/^[\d*,/-]+$/, /^[\d*,/-]+$/, /^[\d*,/-]+$/, /^([\d*,/-]|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)+$/i, /^([\d*,/-]|SUN|MON|TUE|WED|THU|FRI|SAT)+$/i];

/** A five-field cron expression as Auto Scaling scheduled actions take it. */
export function isCron(expr: string): boolean {
    const fields = expr.trim().split(/\s+/);
    return fields.length === 5 && fields.every((f, i) => CRON_FIELD[i].test(f));
}

export function isTimeZone(tz: string): boolean {
    try {
        new Intl.DateTimeFormat("en-US", { timeZone: tz });
        return true;
    } catch {
        return false;
    }
}

function parseSchedules(c: Checker, p: string, value: unknown, groupMax: number | undefined): ScheduleConfig[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
        c.fail(p, value, "must be a list of {name, cron, timezone?, minSize, maxSize, desiredSize}");
        return [];
    }
    const names = new Set<string>();
    const out: ScheduleConfig[] = [];
    value.forEach((raw: unknown, i: number) => {
        const sp = `${p}[${i}]`;
        const o = c.object(sp, raw, ["name", "cron", "timezone", "minSize", "maxSize", "desiredSize"]);
        if (!o) return;
        const name = c.string(`${sp}.name`, o.name, { pattern: DNS_LABEL, describe: "a lower-case DNS label" });
        if (name && names.has(name)) c.fail(`${sp}.name`, name, "duplicates an earlier schedule of this group");
        if (name) names.add(name);
        const cron = c.string(`${sp}.cron`, o.cron, { describe: "a 5-field cron expression like \"0 22 * * 1-5\" (minute hour day month weekday)" });
        if (cron !== undefined && !isCron(cron)) c.fail(`${sp}.cron`, cron, "must be a 5-field cron expression like \"0 22 * * 1-5\" (minute hour day month weekday)");
        const timezone = o.timezone === undefined ? "UTC" : c.string(`${sp}.timezone`, o.timezone, { describe: "an IANA time zone like Europe/Berlin" });
        if (timezone !== undefined && !isTimeZone(timezone)) c.fail(`${sp}.timezone`, timezone, "must be an IANA time zone like Europe/Berlin or UTC");
        const cap = groupMax ?? MAX_NODES_PER_GROUP;
        // Within the group's bounds: a schedule above the group's maxSize would bypass the GPU quota the policy pack checks.
        const minSize = c.integer(`${sp}.minSize`, o.minSize, 0, cap, `must be an integer from 0 to the group's maxSize (${cap})`);
        const maxSize = c.integer(`${sp}.maxSize`, o.maxSize, minSize ?? 0, cap, `must be an integer from minSize (${minSize ?? 0}) to the group's maxSize (${cap})`);
        // The Cluster Autoscaler "will only adjust the desired value" within min and max (cloudprovider/aws/README.md:182-183
        // at cluster-autoscaler-1.35.2): nodes a schedule adds above minSize are unneeded and removed after
        // scale-down-unneeded-time (10m here). Keeping N nodes warm means minSize: N.
        const desiredSize = minSize === undefined ? undefined : c.integer(`${sp}.desiredSize`, o.desiredSize ?? minSize, minSize, minSize,
            `must equal the schedule's minSize (${minSize}): the Cluster Autoscaler removes nodes above minSize within minutes, so to keep nodes warm raise minSize`);
        if (name && cron && timezone && minSize !== undefined && maxSize !== undefined && desiredSize !== undefined) out.push({ name, cron, timezone, minSize, maxSize, desiredSize });
    });
    return out;
}

/**
 * Predictive scaling, forecast only, on CPU. GPU utilisation by Auto Scaling group is published by nothing the
 * stack installs (the observability add-on's `ContainerInsights/node_gpu_*` carry ClusterName/InstanceId/NodeName,
 * not the group), so a GPU forecast would never have data; and acting on a forecast is undone by the Cluster
 * Autoscaler, which scales desired capacity back down to what pending pods need.
 */
function parsePredictive(c: Checker, p: string, value: unknown): PredictiveScalingConfig | undefined {
    if (value === undefined) return undefined;
    const o = c.object(p, value, ["metric", "targetUtilization", "mode"]);
    if (!o) return undefined;
    let metric: PredictiveScalingConfig["metric"] | undefined = "cpu";
    if (o.metric === "gpu") {
        c.fail(`${p}.metric`, o.metric, "must be cpu: no installed component publishes GPU utilisation per Auto Scaling group (Container Insights has no group dimension), so a GPU forecast would have no data");
        metric = undefined;
    } else if (o.metric !== undefined) metric = c.string(`${p}.metric`, o.metric, { oneOf: ["cpu"] }) as PredictiveScalingConfig["metric"] | undefined;
    const targetUtilization = c.number(`${p}.targetUtilization`, o.targetUtilization ?? 60, (n) => n >= 1 && n <= 100, "must be a number from 1 to 100 (percent)");
    let mode: PredictiveScalingConfig["mode"] | undefined = "forecastOnly";
    if (o.mode === "forecastAndScale") {
        c.fail(`${p}.mode`, o.mode, "must be forecastOnly: the Cluster Autoscaler owns desired capacity and scales a forecast's nodes back in after scale-down-unneeded-time; use schedules (minSize) to keep nodes warm");
        mode = undefined;
    } else if (o.mode !== undefined) mode = c.string(`${p}.mode`, o.mode, { oneOf: ["forecastOnly"] }) as PredictiveScalingConfig["mode"] | undefined;
    return metric && targetUtilization !== undefined && mode ? { metric, targetUtilization, mode } : undefined;
}
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
        const schedules = parseSchedules(c, `${gp}.schedules`, o.schedules, maxSize);
        const predictiveScaling = parsePredictive(c, `${gp}.predictiveScaling`, o.predictiveScaling);
        if (team && capacity && instanceTypes && minSize !== undefined && maxSize !== undefined && desiredSize !== undefined && diskSizeGiB !== undefined) {
            groups.push({ name, team, capacity, instanceTypes, minSize, maxSize, desiredSize, diskSizeGiB, schedules, ...(predictiveScaling ? { predictiveScaling } : {}) });
        }
    }
    return groups;
}
