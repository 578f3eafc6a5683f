import { INSTANCE_TYPES } from "./catalog";
import { elements, isObject, peek, peekAt, resolveRegion, resolveTeam, strings, UNKNOWN } from "./tagResolution";

/**
 * The compute capacity a set of declared resources can reach, whatever component declared it: EKS node
 * groups (instance types listed, or taken from their launch template), Auto Scaling groups (launch
 * template, launch configuration or mixed-instances overrides), and plain EC2 instances and spot
 * requests. gpu-quota, gpu-instance-allowlist, team-budget and the cost estimator all count from here, so
 * a p4d.24xlarge declared as a bare `aws.ec2.Instance` counts like one in a GpuNodeGroup.
 */

export const NODE_GROUP_TYPE = "aws:eks/nodeGroup:NodeGroup";
export const LAUNCH_TEMPLATE_TYPE = "aws:ec2/launchTemplate:LaunchTemplate";
export const LAUNCH_CONFIGURATION_TYPE = "aws:ec2/launchConfiguration:LaunchConfiguration";
export const EC2_INSTANCE_TYPE = "aws:ec2/instance:Instance";
export const SPOT_INSTANCE_REQUEST_TYPE = "aws:ec2/spotInstanceRequest:SpotInstanceRequest";
export const AUTOSCALING_GROUP_TYPE = "aws:autoscaling/group:Group";

/** Resource types whose `instanceType` input names one type (judged by the allowlist on the resource itself). */
export const SINGLE_INSTANCE_TYPE_RESOURCES: readonly string[] = [LAUNCH_TEMPLATE_TYPE, LAUNCH_CONFIGURATION_TYPE, EC2_INSTANCE_TYPE, SPOT_INSTANCE_REQUEST_TYPE];

/** EC2's accelerated-computing families by name (P, G, Gr: GPUs; Inf, Trn: Neuron; DL: Gaudi): `p4d.24xlarge`, `g6e.xlarge`, `inf2.xlarge`. */
const ACCELERATED_FAMILY = /^(p|g|gr|inf|trn|dl)\d[a-z0-9-]*\./;

/**
 * Does an instance type carry accelerators? The catalog decides for the types it knows; for the rest,
 * AWS's family naming does, so a GPU type missing from the catalog is still judged as one and a
 * general-purpose type (m6i.large, t4g.small) is never mistaken for one.
 */
export function isAcceleratedType(instanceType: string): boolean {
    const facts = INSTANCE_TYPES.get(instanceType);
    return facts ? facts.gpus > 0 : ACCELERATED_FAMILY.test(instanceType);
}

/** A resource as capacity counting needs it: dependencies are URNs (ids are unknown in a preview). */
export interface CapacityResource {
    urn: string;
    type: string;
    name: string;
    props: unknown;
    providerProps?: unknown;
    dependencies?: readonly string[];
}

export interface Capacity {
    urn: string;
    type: string;
    /** Node group name, ASG name or resource name. */
    name: string;
    kind: "node-group" | "autoscaling-group" | "instance";
    team: string | undefined;
    region: string | undefined;
    /** The types it can launch; [] when none is known. */
    instanceTypes: string[];
    /** Where the types came from, for messages (`launch template gpu-lt`). */
    typesFrom?: string;
    minNodes: number;
    desiredNodes: number;
    maxNodes: number;
    spot: boolean;
    /** GPUs of the largest type the catalog knows: what it reaches whatever the allocation picks. */
    gpusPerNode: number;
    /** Listed types the catalog does not know that may carry GPUs (their GPUs cannot be counted). */
    unknownTypes: string[];
    /** Any type accelerated, or an EKS GPU AMI. */
    accelerated: boolean;
    /** The launch template (or configuration) props it uses, if found among the resources. */
    template?: Record<string, unknown>;
}

function count(v: unknown, fallback = 0): number {
    return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : fallback;
}

function nameOf(props: unknown, key: string, fallback: string): string {
    const v = peek(props, key);
    return typeof v === "string" && v !== "" ? v : fallback;
}

/** Launch templates by URN, and by every name or id a group may reference them with (first declared wins). */
interface Templates {
    byUrn: ReadonlyMap<string, CapacityResource>;
    byReference: ReadonlyMap<string, { template: CapacityResource; order: number }>;
}

function indexTemplates(resources: readonly CapacityResource[]): Templates {
    const byUrn = new Map<string, CapacityResource>();
    const byReference = new Map<string, { template: CapacityResource; order: number }>();
    for (const t of resources) {
        if (t.type !== LAUNCH_TEMPLATE_TYPE && t.type !== LAUNCH_CONFIGURATION_TYPE) continue;
        byUrn.set(t.urn, t);
        for (const key of [peek(t.props, "name"), peek(t.props, "id"), t.name]) {
            if (typeof key === "string" && !byReference.has(key)) byReference.set(key, { template: t, order: byUrn.size });
        }
    }
    return { byUrn, byReference };
}

/**
 * The launch template a node group or ASG uses: the one it names, else one it depends on (in a preview
 * the template's id is unknown, but the dependency is recorded). Looked up in an index: a stack of a
 * hundred groups would otherwise compare every group with every template.
 */
function findTemplate(r: CapacityResource, spec: unknown, templates: Templates): CapacityResource | undefined {
    const named = [peek(spec, "name"), peek(spec, "launchTemplateName"), peek(spec, "id"), peek(spec, "launchTemplateId")]
        .map((w) => (typeof w === "string" ? templates.byReference.get(w) : undefined))
        .filter((x): x is { template: CapacityResource; order: number } => x !== undefined)
        .sort((a, b) => a.order - b.order)[0];
    if (named) return named.template;
    return (r.dependencies ?? []).map((d) => templates.byUrn.get(d)).find((t): t is CapacityResource => t !== undefined);
}

function build(r: CapacityResource, kind: Capacity["kind"], name: string, types: string[], sizes: [number, number, number], spot: boolean, extra: Partial<Capacity> = {}): Capacity {
    const known = types.filter((t) => INSTANCE_TYPES.has(t));
    const team = resolveTeam(r.props, r.providerProps, r.type);
    const amiType = peek(r.props, "amiType");
    const gpuAmi = typeof amiType === "string" && /NVIDIA|GPU|NEURON/.test(amiType);
    return {
        urn: r.urn, type: r.type, name, kind,
        team,
        region: resolveRegion(r.providerProps),
        instanceTypes: types,
        minNodes: sizes[0], desiredNodes: sizes[1], maxNodes: sizes[2], spot,
        gpusPerNode: Math.max(0, ...known.map((t) => INSTANCE_TYPES.get(t)!.gpus)),
        // Only types that may carry GPUs: an m6i.large beside a g5 in one group has none to count.
        unknownTypes: types.filter((t) => !INSTANCE_TYPES.has(t) && (gpuAmi || isAcceleratedType(t))),
        accelerated: gpuAmi || types.some(isAcceleratedType),
        ...extra,
    };
}

function templateSpot(template: CapacityResource | undefined): boolean {
    return peekAt(template?.props, "instanceMarketOptions", "marketType") === "spot";
}

function nodeGroup(r: CapacityResource, templates: Templates): Capacity {
    const scaling = peek(r.props, "scalingConfig");
    const min = count(peek(scaling, "minSize")), max = count(peek(scaling, "maxSize")), desired = count(peek(scaling, "desiredSize"), min);
    let types = strings(peek(r.props, "instanceTypes"));
    const template = findTemplate(r, peek(r.props, "launchTemplate"), templates);
    let typesFrom: string | undefined;
    if (types.length === 0 && template) {
        const t = peek(template.props, "instanceType");
        if (typeof t === "string") {
            types = [t];
            typesFrom = `launch template ${template.name}`;
        }
    }
    // EKS's default when neither the group nor its template names a type (CreateNodegroup API: t3.medium).
    if (types.length === 0 && !template && peek(r.props, "instanceTypes") !== UNKNOWN) types = ["t3.medium"];
    return build(r, "node-group", nameOf(r.props, "nodeGroupName", r.name), types, [min, desired, max], peek(r.props, "capacityType") === "SPOT",
        { typesFrom, template: template && isObject(template.props) ? template.props : undefined });
}

function autoscalingGroup(r: CapacityResource, templates: Templates): Capacity {
    const min = count(peek(r.props, "minSize")), max = count(peek(r.props, "maxSize")), desired = count(peek(r.props, "desiredCapacity"), min);
    const mixed = peek(r.props, "mixedInstancesPolicy");
    const mixedTemplate = peekAt(mixed, "launchTemplate");
    const spec = isObject(mixedTemplate) ? peek(mixedTemplate, "launchTemplateSpecification") : peek(r.props, "launchTemplate");
    const template = findTemplate(r, spec, templates);
    let types = elements(peek(mixedTemplate, "overrides")).map((o) => peek(o, "instanceType")).filter((t): t is string => typeof t === "string");
    let typesFrom = types.length > 0 ? "mixed instances policy overrides" : undefined;
    if (types.length === 0 && template) {
        const t = peek(template.props, "instanceType");
        if (typeof t === "string") {
            types = [t];
            typesFrom = `launch ${template.type === LAUNCH_CONFIGURATION_TYPE ? "configuration" : "template"} ${template.name}`;
        }
    }
    const distribution = peek(mixed, "instancesDistribution");
    const onDemandBase = count(peek(distribution, "onDemandBaseCapacity"));
    const onDemandPct = peek(distribution, "onDemandPercentageAboveBaseCapacity");
    const spot = isObject(distribution) ? onDemandBase === 0 && onDemandPct === 0 : templateSpot(template);
    return build(r, "autoscaling-group", nameOf(r.props, "name", r.name), types, [min, desired, max], spot,
        { typesFrom, template: template && isObject(template.props) ? template.props : undefined });
}

function instance(r: CapacityResource): Capacity {
    const t = peek(r.props, "instanceType");
    const spot = r.type === SPOT_INSTANCE_REQUEST_TYPE || peekAt(r.props, "instanceMarketOptions", "marketType") === "spot";
    return build(r, "instance", r.name, typeof t === "string" ? [t] : [], [1, 1, 1], spot);
}

/** Every unit of compute capacity among the resources (launch templates themselves launch nothing). */
export function computeCapacity(resources: readonly CapacityResource[]): Capacity[] {
    const templates = indexTemplates(resources);
    const out: Capacity[] = [];
    for (const r of resources) {
        if (r.type === NODE_GROUP_TYPE) out.push(nodeGroup(r, templates));
        else if (r.type === AUTOSCALING_GROUP_TYPE) out.push(autoscalingGroup(r, templates));
        else if (r.type === EC2_INSTANCE_TYPE || r.type === SPOT_INSTANCE_REQUEST_TYPE) out.push(instance(r));
    }
    return out;
}

/** A GPU unit's team for quotas: untagged capacity is still counted, under this name. */
export const UNTAGGED_TEAM = "(untagged)";

export interface TeamGpus {
    team: string;
    gpus: number;
    units: Capacity[];
}

/** GPUs each team can reach at max scale: Σ max nodes × GPUs per node over its accelerated capacity. */
export function gpusByTeam(capacity: readonly Capacity[]): TeamGpus[] {
    const teams = new Map<string, TeamGpus>();
    for (const c of capacity) {
        if (!c.accelerated) continue;
        const team = c.team ?? UNTAGGED_TEAM;
        const entry = teams.get(team) ?? { team, gpus: 0, units: [] };
        entry.gpus += c.maxNodes * c.gpusPerNode;
        entry.units.push(c);
        teams.set(team, entry);
    }
    return [...teams.values()];
}

/** `node group research-spot`, `EC2 instance trainer`. */
export function unitLabel(c: Capacity): string {
    return `${c.kind === "node-group" ? "node group" : c.kind === "autoscaling-group" ? "auto scaling group" : "EC2 instance"} ${c.name}`;
}

/** `research-spot: 2 x 1 GPU`, naming where the types came from when not listed on the unit. */
export function describeUnit(c: Capacity): string {
    const what = c.kind === "instance" ? `EC2 instance ${c.name} (${c.instanceTypes.join(", ") || "no type"})` : `${c.name}${c.typesFrom ? ` (${c.instanceTypes.join(", ")} from ${c.typesFrom})` : ""}`;
    return `${what}: ${c.maxNodes} x ${c.gpusPerNode} GPU`;
}
