import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags } from "./tags";

export interface NetworkArgs {
    /** IPv4 CIDR of the VPC, /16 to /20. */
    cidr: string;
    /** How many availability zones to span (2 to 4). */
    availabilityZones: number;
    /**
     * One NAT gateway per zone (true) survives a zone outage; one shared NAT gateway (false) costs a
     * third as much. Default: true.
     */
    natGatewayPerZone?: boolean;
    /** EKS cluster name, for the subnet tags load balancers discover subnets by. */
    clusterName: string;
    /** Chargeback tags for every resource. */
    tags: Tags;
}

export interface SubnetPlan {
    privateCidrs: string[];
    publicCidrs: string[];
}

function ipToInt(ip: string): number {
    return ip.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function intToIp(n: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/**
 * Carve the VPC: the first half holds up to four large private subnets (nodes and pods take one IP
 * each with the VPC CNI), the second half small public subnets for NAT gateways and load balancers.
 */
export function planSubnets(vpcCidr: string, zones: number): SubnetPlan {
    const [ip, prefixText] = vpcCidr.split("/");
    const prefix = Number(prefixText);
    if (zones < 1 || zones > 4) throw new Error(`availabilityZones: ${zones} is not allowed: must be 1 to 4`);
    const base = ipToInt(ip);
    const size = 2 ** (32 - prefix);
    const privatePrefix = prefix + 3;
    const publicPrefix = prefix + 6;
    const privateCidrs: string[] = [];
    const publicCidrs: string[] = [];
    for (let i = 0; i < zones; i++) {
        privateCidrs.push(`${intToIp(base + i * 2 ** (32 - privatePrefix))}/${privatePrefix}`);
        publicCidrs.push(`${intToIp(base + size / 2 + i * 2 ** (32 - publicPrefix))}/${publicPrefix}`);
    }
    return { privateCidrs, publicCidrs };
}

/** A VPC for the cluster: private subnets for nodes, NAT egress, and a free S3 gateway endpoint. */
export class Network extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    readonly privateSubnetIds: pulumi.Output<string>[];
    readonly publicSubnetIds: pulumi.Output<string>[];

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-infra:network:Network", name, {}, opts);
        const parent = { parent: this };
        const plan = planSubnets(args.cidr, args.availabilityZones);
        const zones = aws.getAvailabilityZonesOutput({
            state: "available",
            filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
        }, parent);
        const tags = (extra: Tags = {}) => ({ ...args.tags, ...extra });

        const vpc = new aws.ec2.Vpc(name, {
            cidrBlock: args.cidr,
            enableDnsHostnames: true,
            enableDnsSupport: true,
            tags: tags({ Name: name }),
        }, parent);
        const igw = new aws.ec2.InternetGateway(name, { vpcId: vpc.id, tags: tags({ Name: name }) }, parent);
        const publicRoutes = new aws.ec2.RouteTable(`${name}-public`, {
            vpcId: vpc.id,
            routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
            tags: tags({ Name: `${name}-public` }),
        }, parent);

        const natPerZone = args.natGatewayPerZone ?? true;
        const natIds: pulumi.Output<string>[] = [];
        const privateRouteTableIds: pulumi.Output<string>[] = [];
        this.publicSubnetIds = [];
        this.privateSubnetIds = [];
        for (let i = 0; i < args.availabilityZones; i++) {
            const az = zones.names.apply((names) => names[i % names.length]);
            const pub = new aws.ec2.Subnet(`${name}-public-${i}`, {
                vpcId: vpc.id,
                cidrBlock: plan.publicCidrs[i],
                availabilityZone: az,
                mapPublicIpOnLaunch: false,
                tags: tags({ Name: `${name}-public-${i}`, "kubernetes.io/role/elb": "1", [`kubernetes.io/cluster/${args.clusterName}`]: "shared" }),
            }, parent);
            new aws.ec2.RouteTableAssociation(`${name}-public-${i}`, { subnetId: pub.id, routeTableId: publicRoutes.id }, parent);
            this.publicSubnetIds.push(pub.id);
            if (natPerZone || i === 0) {
                const eip = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: "vpc", tags: tags({ Name: `${name}-nat-${i}` }) }, parent);
                const nat = new aws.ec2.NatGateway(`${name}-${i}`, {
                    subnetId: pub.id,
                    allocationId: eip.id,
                    tags: tags({ Name: `${name}-${i}` }),
                }, { parent: this, dependsOn: [igw] });
                natIds.push(nat.id);
            }
            const priv = new aws.ec2.Subnet(`${name}-private-${i}`, {
                vpcId: vpc.id,
                cidrBlock: plan.privateCidrs[i],
                availabilityZone: az,
                tags: tags({ Name: `${name}-private-${i}`, "kubernetes.io/role/internal-elb": "1", [`kubernetes.io/cluster/${args.clusterName}`]: "shared" }),
            }, parent);
            const routes = new aws.ec2.RouteTable(`${name}-private-${i}`, {
                vpcId: vpc.id,
                routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: natIds[natPerZone ? i : 0] }],
                tags: tags({ Name: `${name}-private-${i}` }),
            }, parent);
            new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: priv.id, routeTableId: routes.id }, parent);
            this.privateSubnetIds.push(priv.id);
            privateRouteTableIds.push(routes.id);
        }
        // Image layers from ECR are served from S3: a gateway endpoint is free and keeps multi-GB model
        // image pulls off the NAT gateway's per-GB processing charge.
        const region = aws.getRegionOutput({}, parent);
        new aws.ec2.VpcEndpoint(`${name}-s3`, {
            vpcId: vpc.id,
            serviceName: pulumi.interpolate`com.amazonaws.${region.region}.s3`,
            vpcEndpointType: "Gateway",
            routeTableIds: privateRouteTableIds,
            tags: tags({ Name: `${name}-s3` }),
        }, parent);

        this.vpcId = vpc.id;
        this.registerOutputs({ vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds, publicSubnetIds: this.publicSubnetIds });
    }
}
