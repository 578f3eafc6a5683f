import { INSTANCE_TYPES } from "./catalog";
import { specialRange } from "./cidrRanges";
import type { ClusterConfig, Environment, GpuComponentMode, SystemNodesConfig } from "./config";
import { MIN_KUBERNETES_MINOR, NAMESPACE } from "./constants";
import { DEFAULT_KUBERNETES_VERSION, EKS_VERSIONS, EKS_VERSIONS_AS_OF, eksVersion, newestInStandardSupport, supportPhase, todayUtc } from "./eksVersions";
import { Checker } from "./validate";

const key = (k: string) => `${NAMESPACE}:${k}`;

const CLUSTER_KEYS = ["name", "version", "create", "vpcId", "subnetIds", "vpcCidr", "availabilityZones", "publicAccessCidrs", "apiAccessSecurityGroupIds", "adminRoleArns", "systemNodes", "devicePlugin", "clusterAutoscaler"];
const GPU_COMPONENT_MODES: readonly GpuComponentMode[] = ["install", "present"];
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Why a minor cannot be used on `today`, or undefined: below the AI Gateway's minimum, not in the EKS version
 * table (unknown or newer than the table; add a row to components/eksVersions.ts), not yet released, or past
 * the end of extended support (EKS would upgrade it at once).
 */
export function kubernetesVersionProblem(minor: string, today: Date): string | undefined {
    const known = EKS_VERSIONS.map((v) => v.minor);
    if (Number(minor.split(".")[1]) < MIN_KUBERNETES_MINOR) return `must be at least 1.${MIN_KUBERNETES_MINOR} (the Envoy AI Gateway's minimum)`;
    const v = eksVersion(minor);
    if (!v) return `is not in the EKS version table (as of ${EKS_VERSIONS_AS_OF}): supported are ${known.join(", ")}`;
    const phase = supportPhase(v, today);
    if (phase === "unreleased") return `is not released on EKS until ${v.released}`;
    if (phase === "ended") return `left EKS extended support on ${v.endOfExtended} (EKS upgrades such clusters automatically): use ${newestInStandardSupport(today)?.minor ?? known[known.length - 1]}`;
    return undefined;
}

export function parseCluster(c: Checker, value: unknown, env: Environment, today: Date = todayUtc()): ClusterConfig | undefined {
    const p = key("cluster");
    const o = c.object(p, value, CLUSTER_KEYS);
    if (!o) return undefined;
    const name = c.string(`${p}.name`, o.name, { pattern: /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, describe: "an EKS cluster name (letters, digits, '-', '_', at most 100)" });
    let version = DEFAULT_KUBERNETES_VERSION;
    if (o.version !== undefined) {
        const v = c.string(`${p}.version`, o.version, { pattern: /^1\.\d{2}$/, describe: `a quoted Kubernetes minor version like "${DEFAULT_KUBERNETES_VERSION}" (YAML reads 1.30 as 1.3)` });
        if (v !== undefined) {
            const problem = kubernetesVersionProblem(v, today);
            if (problem) c.fail(`${p}.version`, v, problem);
            else version = v;
        }
    }
    const create = o.create === undefined ? true : c.boolean(`${p}.create`, o.create) ?? true;
    const vpcId = o.vpcId === undefined ? undefined : c.string(`${p}.vpcId`, o.vpcId, { pattern: /^vpc-[0-9a-z]+$/, describe: "a VPC id like vpc-0abc" });
    const subnetIds = o.subnetIds === undefined ? undefined :
        c.stringList(`${p}.subnetIds`, o.subnetIds, (ip, s) => c.string(ip, s, { pattern: /^subnet-[0-9a-z]+$/, describe: "a subnet id like subnet-0abc" }));
    if (create && vpcId !== undefined && subnetIds === undefined) {
        c.fail(`${p}.subnetIds`, undefined, "with cluster.vpcId, list the private subnets (at least two zones) the cluster and nodes use");
    }
    if (create && subnetIds !== undefined && subnetIds.length < 2) {
        c.fail(`${p}.subnetIds`, o.subnetIds, "EKS needs subnets in at least two availability zones");
    }
    if (create && vpcId === undefined && subnetIds !== undefined) {
        c.fail(`${p}.vpcId`, undefined, "with cluster.subnetIds, give the VPC they belong to");
    }
    if (!create && (o.vpcCidr !== undefined || o.availabilityZones !== undefined || o.publicAccessCidrs !== undefined || o.adminRoleArns !== undefined || o.systemNodes !== undefined)) {
        c.fail(`${p}.create`, false, "an existing cluster is used as it is: remove vpcCidr, availabilityZones, publicAccessCidrs, adminRoleArns and systemNodes, or set create: true");
    }
    if (!create && subnetIds === undefined) {
        c.fail(`${p}.subnetIds`, undefined, "with create: false, list the private subnets (with a NAT route) the GPU nodes and the cache use; the cluster's own subnets often include public ones, where nodes without a public IP cannot join");
    }
    const vpcCidr = o.vpcCidr === undefined ? "10.0.0.0/16" : c.string(`${p}.vpcCidr`, o.vpcCidr, { pattern: CIDR, describe: "an IPv4 CIDR from /16 to /20, like 10.0.0.0/16" }) ?? "10.0.0.0/16";
    const prefix = Number(CIDR.exec(vpcCidr)?.[5]);
    if (prefix < 16 || prefix > 20) c.fail(`${p}.vpcCidr`, vpcCidr, "must be an IPv4 CIDR from /16 to /20 (the zones' subnets are carved from it)");
    const availabilityZones = o.availabilityZones === undefined ? (env === "prod" ? 3 : 2)
        : c.integer(`${p}.availabilityZones`, o.availabilityZones, 2, 4) ?? 2;
    const publicAccessCidrs = o.publicAccessCidrs === undefined ? (env === "prod" ? [] : ["0.0.0.0/0"])
        : c.stringList(`${p}.publicAccessCidrs`, o.publicAccessCidrs, (ip, s) => c.string(ip, s, { pattern: CIDR, describe: "an IPv4 CIDR" }), { allowEmpty: true }) ?? [];
    if (env === "prod" && publicAccessCidrs.includes("0.0.0.0/0")) {
        c.fail(`${p}.publicAccessCidrs`, o.publicAccessCidrs, "prod keeps the API endpoint private-first: list your CI and VPN ranges, never 0.0.0.0/0");
    }
    if (env === "prod") {
        publicAccessCidrs.forEach((cidr, i) => {
            const special = specialRange(cidr);
            if (special) c.fail(`${p}.publicAccessCidrs[${i}]`, cidr, `lies in ${special}, which no CI runner or VPN reaches the endpoint from: list your runners' public egress addresses, or keep the endpoint private and use apiAccessSecurityGroupIds`);
        });
    }
    const apiAccessSecurityGroupIds = o.apiAccessSecurityGroupIds === undefined ? [] :
        c.stringList(`${p}.apiAccessSecurityGroupIds`, o.apiAccessSecurityGroupIds, (ip, s) => c.string(ip, s, { pattern: /^sg-[0-9a-f]+$/, describe: "a security group id like sg-0abc" }), { allowEmpty: true }) ?? [];
    if (!create && o.apiAccessSecurityGroupIds !== undefined) {
        c.fail(`${p}.apiAccessSecurityGroupIds`, o.apiAccessSecurityGroupIds, "only with create: true (an existing cluster's security group belongs to its owners)");
    }
    const gpuComponent = (k: "devicePlugin" | "clusterAutoscaler", what: string): GpuComponentMode | undefined => {
        if (o[k] === undefined) {
            // A created cluster has neither; on an existing one, skipping silently left groups that never scale or never expose GPUs.
            if (!create) c.fail(`${p}.${k}`, undefined, `with create: false, say whether the stack should install the ${what} (install) or the cluster already runs one (present)`);
            return create ? "install" : undefined;
        }
        const v = c.string(`${p}.${k}`, o[k], { oneOf: GPU_COMPONENT_MODES }) as GpuComponentMode | undefined;
        if (create && v === "present") c.fail(`${p}.${k}`, v, `a cluster this stack creates has no ${what} until the stack installs it: use install`);
        return v;
    };
    const devicePlugin = gpuComponent("devicePlugin", "NVIDIA device plugin") ?? "install";
    const clusterAutoscaler = gpuComponent("clusterAutoscaler", "Cluster Autoscaler");
    if (!create && clusterAutoscaler === "install" && o.version === undefined) {
        c.fail(`${p}.version`, undefined, "with create: false and clusterAutoscaler: install, give the existing cluster's minor: the autoscaler's chart and image must match it");
    }
    const adminRoleArns = o.adminRoleArns === undefined ? [] :
        c.stringList(`${p}.adminRoleArns`, o.adminRoleArns, (ip, s) => c.string(ip, s, { pattern: /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, describe: "an IAM role ARN" }), { allowEmpty: true }) ?? [];
    const systemNodes = parseSystemNodes(c, `${p}.systemNodes`, o.systemNodes);
    if (!name) return undefined;
    return { name, version, create, vpcId, subnetIds, vpcCidr, availabilityZones, publicAccessCidrs, apiAccessSecurityGroupIds, adminRoleArns, systemNodes, devicePlugin, clusterAutoscaler: clusterAutoscaler ?? "install" };
}

/**
 * What this stack leaves to the owners of an existing cluster (create: false), said out loud in the plan:
 * nothing here creates or checks them.
 */
export function existingClusterUnmanaged(cluster: ClusterConfig): string[] {
    if (cluster.create) return [];
    const out = [
        "the control plane: version, upgrade policy, endpoint access, logging, secrets encryption and deletion protection",
        "managed add-ons (vpc-cni, kube-proxy, coredns, eks-pod-identity-agent, metrics-server) and the system node group",
        "access entries for admin roles (cluster.adminRoleArns is not applied)",
    ];
    if (cluster.devicePlugin === "present") out.push("the NVIDIA device plugin (declared present: GPU pods stay pending if it is not running)");
    if (cluster.clusterAutoscaler === "present") out.push("the Cluster Autoscaler (declared present: groups at minSize 0 never scale up if it is not running or does not discover this stack's groups)");
    else out.push("the eks-pod-identity-agent add-on the installed autoscaler's Pod Identity needs (must already run)");
    return out;
}

const DEFAULT_SYSTEM_NODES: SystemNodesConfig = { instanceTypes: ["m7g.large"], minSize: 2, maxSize: 4, desiredSize: 2 };

function parseSystemNodes(c: Checker, p: string, value: unknown): SystemNodesConfig {
    if (value === undefined) return DEFAULT_SYSTEM_NODES;
    const o = c.object(p, value, ["instanceTypes", "minSize", "maxSize", "desiredSize"]);
    if (!o) return DEFAULT_SYSTEM_NODES;
    const instanceTypes = c.stringList(`${p}.instanceTypes`, o.instanceTypes ?? DEFAULT_SYSTEM_NODES.instanceTypes, (ip, s) => {
        const t = c.string(ip, s, { oneOf: [...INSTANCE_TYPES.values()].filter((f) => f.gpus === 0).map((f) => f.name) });
        return t;
    }) ?? DEFAULT_SYSTEM_NODES.instanceTypes;
    const archs = new Set(instanceTypes.map((t) => INSTANCE_TYPES.get(t)?.architecture));
    if (archs.size > 1) c.fail(`${p}.instanceTypes`, instanceTypes, "all types of one node group must share an architecture (one AMI type)");
    const minSize = c.integer(`${p}.minSize`, o.minSize ?? DEFAULT_SYSTEM_NODES.minSize, 1, 100, "must be an integer from 1 to 100 (CoreDNS and the gateway run here)") ?? 1;
    const maxSize = c.integer(`${p}.maxSize`, o.maxSize ?? DEFAULT_SYSTEM_NODES.maxSize, Math.max(minSize, 1), 100, `must be an integer >= minSize (${minSize}) and <= 100`) ?? minSize;
    const desiredSize = c.integer(`${p}.desiredSize`, o.desiredSize ?? minSize, minSize, maxSize, `must be an integer from minSize (${minSize}) to maxSize (${maxSize})`) ?? minSize;
    return { instanceTypes, minSize, maxSize, desiredSize };
}

