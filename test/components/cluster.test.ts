import { strict as assert } from "assert";
import { Cluster } from "../../components/cluster";
import { ClusterConfig, parseStackConfig } from "../../components/config";
import { Network, planSubnets } from "../../components/network";
import { Platform } from "../../components/platform";
import { baseConfig, declare, one, ofType } from "../helpers";

const tags = { team: "platform", "cost-center": "CC-P", environment: "dev", owner: "p@example.com", "managed-by": "pulumi" };
const clusterConfig = (over: Partial<ClusterConfig> = {}): ClusterConfig => ({
    name: "ai-test", version: "1.35", create: true, vpcCidr: "10.0.0.0/16", availabilityZones: 2, publicAccessCidrs: ["0.0.0.0/0"], apiAccessSecurityGroupIds: [], adminRoleArns: [],
    devicePlugin: "install", clusterAutoscaler: "install",
    systemNodes: { instanceTypes: ["m7g.large"], minSize: 2, maxSize: 4, desiredSize: 2 }, ...over,
});

describe("Cluster", () => {
    it("creates EKS with API auth, KMS secrets encryption, logging, standard support and managed add-ons", async () => {
        const resources = await declare(() => new Cluster("eks", { config: clusterConfig(), environment: "dev", tags, subnetIds: ["subnet-a", "subnet-b"] }));
        const c = one(resources, "aws:eks/cluster:Cluster").inputs as Record<string, any>;
        assert.equal(c.name, "ai-test");
        assert.equal(c.version, "1.35");
        assert.deepEqual(c.accessConfig, { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true });
        assert.deepEqual(c.encryptionConfig.resources, ["secrets"]);
        // The mock ARN of the stack's KMS key: the cluster encrypts with the key declared beside it.
        assert.equal(c.encryptionConfig.provider.keyArn, "arn:aws:kms:us-east-1:123456789012:kms/eks-secrets-mock");
        assert.equal(one(resources, "aws:kms/key:Key").inputs.enableKeyRotation, true);
        assert.deepEqual(c.enabledClusterLogTypes, ["audit", "authenticator"]);
        assert.deepEqual(c.upgradePolicy, { supportType: "STANDARD" });
        assert.equal(c.bootstrapSelfManagedAddons, false);
        assert.equal(c.vpcConfig.endpointPrivateAccess, true);
        assert.equal(c.vpcConfig.endpointPublicAccess, true);
        assert.deepEqual(ofType(resources, "aws:eks/addon:Addon").map((a) => a.inputs.addonName).sort(), ["coredns", "eks-pod-identity-agent", "kube-proxy", "metrics-server", "vpc-cni"]);
        const coredns = ofType(resources, "aws:eks/addon:Addon").find((a) => a.inputs.addonName === "coredns")!;
        assert.ok(coredns.dependencies.includes(one(resources, "aws:eks/nodeGroup:NodeGroup").urn), "CoreDNS waits for nodes");
        assert.equal(one(resources, "aws:cloudwatch/logGroup:LogGroup").inputs.name, "/aws/eks/ai-test/cluster");
        assert.equal(one(resources, "pulumi:providers:kubernetes").secretPaths.includes("kubeconfig"), true, "kubeconfig is a secret");
        for (const r of resources.filter((x) => x.custom && x.inputs.tags !== undefined)) assert.deepEqual(r.inputs.tags, tags, r.urn);
    });

    it("keeps the prod endpoint private-first, logs everything and protects the cluster", async () => {
        const resources = await declare(() => new Cluster("eks", { config: clusterConfig({ publicAccessCidrs: [], adminRoleArns: ["arn:aws:iam::123456789012:role/admin"] }), environment: "prod", tags, subnetIds: ["subnet-a", "subnet-b"] }));
        const c = one(resources, "aws:eks/cluster:Cluster");
        const vpc = c.inputs.vpcConfig as Record<string, unknown>;
        assert.equal(vpc.endpointPublicAccess, false);
        assert.equal(vpc.publicAccessCidrs, undefined);
        assert.equal(c.inputs.deletionProtection, true);
        assert.equal(c.protect, true);
        assert.equal((c.inputs.enabledClusterLogTypes as string[]).length, 5);
        const assoc = one(resources, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").inputs;
        assert.equal(assoc.policyArn, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
        assert.equal(one(resources, "aws:eks/accessEntry:AccessEntry").inputs.principalArn, "arn:aws:iam::123456789012:role/admin");
    });

    it("looks up an existing cluster by name and still yields a provider and a node role", async () => {
        const resources = await declare(() => new Cluster("eks", { config: clusterConfig({ create: false }), environment: "dev", tags }));
        assert.equal(ofType(resources, "aws:eks/cluster:Cluster").length, 0);
        assert.equal(ofType(resources, "pulumi:providers:kubernetes").length, 1);
        assert.equal(ofType(resources, "aws:iam/role:Role").length, 1);
    });
});

describe("Network", () => {
    it("carves private and public subnets without overlap", () => {
        assert.deepEqual(planSubnets("10.0.0.0/16", 3), {
            privateCidrs: ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"],
            publicCidrs: ["10.0.128.0/22", "10.0.132.0/22", "10.0.136.0/22"],
        });
        assert.deepEqual(planSubnets("10.20.16.0/20", 2), { privateCidrs: ["10.20.16.0/23", "10.20.18.0/23"], publicCidrs: ["10.20.24.0/26", "10.20.24.64/26"] });
    });

    it("uses one NAT gateway outside prod and one per zone in prod", async () => {
        const shared = await declare(() => new Network("vpc", { cidr: "10.0.0.0/16", availabilityZones: 3, natGatewayPerZone: false, clusterName: "c", tags }));
        assert.equal(ofType(shared, "aws:ec2/natGateway:NatGateway").length, 1);
        const routes = ofType(shared, "aws:ec2/routeTable:RouteTable").filter((r) => r.name.includes("private"));
        assert.ok(routes.every((r) => (r.inputs.routes as { natGatewayId: string }[])[0].natGatewayId === "vpc-0-id"));
        const perZone = await declare(() => new Network("vpc", { cidr: "10.0.0.0/16", availabilityZones: 3, natGatewayPerZone: true, clusterName: "c", tags }));
        assert.equal(ofType(perZone, "aws:ec2/natGateway:NatGateway").length, 3);
        const s3 = one(perZone, "aws:ec2/vpcEndpoint:VpcEndpoint").inputs;
        assert.equal(s3.serviceName, "com.amazonaws.us-east-1.s3");
        assert.equal((s3.routeTableIds as string[]).length, 3);
        const zones = ofType(perZone, "aws:ec2/subnet:Subnet").map((s) => s.inputs.availabilityZone);
        assert.deepEqual([...new Set(zones)].sort(), ["us-east-1a", "us-east-1b", "us-east-1c"]);
    });
});

describe("Platform", () => {
    it("wires config into a VPC, the cluster and one GPU node group per entry, all tagged", async () => {
        const config = parseStackConfig(baseConfig());
        const resources = await declare(() => new Platform("ai", { config }));
        assert.equal(ofType(resources, "aws:ec2/vpc:Vpc").length, 1);
        assert.equal(ofType(resources, "ai-infra:nodegroup:GpuNodeGroup").length, 1);
        const gpu = ofType(resources, "aws:eks/nodeGroup:NodeGroup").find((r) => r.inputs.nodeGroupName === "llm-spot")!;
        assert.equal((gpu.inputs.tags as Record<string, string>).team, "ml-research");
        assert.deepEqual(gpu.inputs.subnetIds, ["ai-vpc-private-0-id", "ai-vpc-private-1-id"]);
        for (const r of resources.filter((x) => x.custom && x.type.startsWith("aws:") && x.inputs.tags !== undefined)) {
            assert.equal((r.inputs.tags as Record<string, string>).environment, "dev", r.urn);
        }
    });

    it("uses the given VPC subnets instead of creating a network", async () => {
        const config = parseStackConfig(baseConfig({ "ai-infra:cluster": { name: "ai-test", vpcId: "vpc-0abc", subnetIds: ["subnet-0a", "subnet-0b"] } }));
        const resources = await declare(() => new Platform("ai", { config }));
        assert.equal(ofType(resources, "aws:ec2/vpc:Vpc").length, 0);
        assert.deepEqual((one(resources, "aws:eks/cluster:Cluster").inputs.vpcConfig as Record<string, unknown>).subnetIds, ["subnet-0a", "subnet-0b"]);
    });
});
