import { strict as assert } from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { cacheSettings, GatewayCache, GatewayCacheArgs } from "../../components/cache";
import { parseStackConfig } from "../../components/config";
import { baseConfig, declare, one, ofType } from "../helpers";
import { runProgram } from "../../plan/mockRuntime";
import { isTaggableAwsType } from "../../lib/taggable";

const chargeback = { team: "platform", costCenter: "CC-P", environment: "dev", owner: "p@example.com" };
const args = (over: Partial<GatewayCacheArgs> = {}): GatewayCacheArgs => ({
    environment: "dev", replicationGroupId: "rl", nodeType: "cache.t4g.small", replicasPerShard: 0, vpcId: "vpc-1", subnetIds: ["subnet-a", "subnet-b"],
    clientSecurityGroupIds: ["sg-cluster"], chargeback, ...over,
});

describe("GatewayCache", () => {
    it("runs Valkey with at-rest and in-transit encryption and a secret AUTH token", async () => {
        const resources = await declare(() => new GatewayCache("rl", args()));
        const rg = one(resources, "aws:elasticache/replicationGroup:ReplicationGroup");
        assert.equal(rg.inputs.engine, "valkey");
        assert.match(String(rg.inputs.engineVersion), /^8\.\d$/);
        assert.equal(rg.inputs.atRestEncryptionEnabled, true);
        assert.equal(rg.inputs.transitEncryptionEnabled, true);
        assert.equal(rg.inputs.transitEncryptionMode, "required");
        assert.equal(rg.inputs.clusterMode, "disabled");
        assert.equal(rg.inputs.numCacheClusters, 1);
        assert.ok(rg.secretPaths.includes("authToken"), "authToken is a secret input");
        assert.equal(rg.inputs.authToken, "plan-mock-password-rl-auth");
        const params = one(resources, "aws:elasticache/parameterGroup:ParameterGroup").inputs;
        assert.equal(params.family, "valkey8");
        assert.deepEqual(params.parameters, [{ name: "maxmemory-policy", value: "noeviction" }, { name: "cluster-enabled", value: "no" }]);
        const version = one(resources, "aws:secretsmanager/secretVersion:SecretVersion");
        assert.ok(version.secretPaths.includes("secretString"));
        assert.deepEqual(JSON.parse(String(version.inputs.secretString)), {
            host: "master.rl.mock.use1.cache.amazonaws.com", port: "6379", tls: "true", url: "master.rl.mock.use1.cache.amazonaws.com:6379", password: "plan-mock-password-rl-auth",
        });
    });

    it("admits port 6379 only from the cluster's security group, never from a CIDR", async () => {
        const resources = await declare(() => new GatewayCache("rl", args()));
        const rules = ofType(resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
        assert.equal(rules.length, 1);
        assert.equal(rules[0].inputs.referencedSecurityGroupId, "sg-cluster");
        assert.equal(rules[0].inputs.cidrIpv4, undefined);
        assert.equal(rules[0].inputs.fromPort, 6379);
        assert.equal(rules[0].inputs.toPort, 6379);
        const sg = one(resources, "aws:ec2/securityGroup:SecurityGroup").inputs;
        assert.equal(sg.ingress, undefined, "no inline CIDR rules");
    });

    it("keeps dev small and cheap, makes prod highly available and protected", async () => {
        const dev = one(await declare(() => new GatewayCache("rl", args())), "aws:elasticache/replicationGroup:ReplicationGroup");
        assert.equal(dev.inputs.automaticFailoverEnabled, false);
        assert.equal(dev.inputs.multiAzEnabled, false);
        assert.equal(dev.inputs.kmsKeyId, undefined);
        assert.equal(dev.protect, false);
        const prodResources = await declare(() => new GatewayCache("rl", args({ environment: "prod", replicasPerShard: 1, nodeType: "cache.m7g.large", chargeback: { ...chargeback, environment: "prod" } })));
        const prod = one(prodResources, "aws:elasticache/replicationGroup:ReplicationGroup");
        assert.equal(prod.inputs.automaticFailoverEnabled, true);
        assert.equal(prod.inputs.multiAzEnabled, true);
        assert.equal(prod.inputs.numCacheClusters, 2);
        assert.ok(Number(prod.inputs.snapshotRetentionLimit) >= 7);
        assert.equal(prod.inputs.maintenanceWindow, "sun:05:00-sun:06:00");
        assert.equal(prod.inputs.kmsKeyId, "arn:aws:kms:us-east-1:123456789012:kms/rl-cache-mock", "customer KMS key in prod");
        assert.equal(prod.inputs.applyImmediately, false);
        assert.equal(prod.inputs.finalSnapshotIdentifier, "rl-final");
        assert.equal(prod.protect, true);
    });

    it("switches cluster mode on for more than one shard", async () => {
        const rg = one(await declare(() => new GatewayCache("rl", args({ shards: 3, replicasPerShard: 1 }))), "aws:elasticache/replicationGroup:ReplicationGroup");
        assert.equal(rg.inputs.clusterMode, "enabled");
        assert.equal(rg.inputs.numNodeGroups, 3);
        assert.equal(rg.inputs.replicasPerNodeGroup, 1);
        assert.equal(rg.inputs.numCacheClusters, undefined);
    });

    it("uses allkeys-lru for a response cache, which may lose entries", () => {
        assert.deepEqual(cacheSettings("c", args({ purpose: "response-cache" })).parameters[0], { name: "maxmemory-policy", value: "allkeys-lru" });
    });

    it("tags every AWS resource for the platform and labels the Kubernetes Secret", async () => {
        const provider = () => new k8s.Provider("k", { kubeconfig: "{}" });
        const resources = await declare(() => new GatewayCache("rl", args({ kubernetes: { provider: provider(), namespace: "envoy-gateway-system" } })));
        for (const r of resources.filter((x) => isTaggableAwsType(x.type))) {
            assert.equal((r.inputs.tags as Record<string, string>)?.team, "platform", r.urn);
            assert.equal((r.inputs.tags as Record<string, string>)?.["cost-center"], "CC-P", r.urn);
        }
        const secret = one(resources, "kubernetes:core/v1:Secret");
        assert.equal((secret.inputs.metadata as { namespace: string }).namespace, "envoy-gateway-system");
        assert.equal((secret.inputs.metadata as { labels: Record<string, string> }).labels["ai-infra/team"], "platform");
        assert.ok(secret.secretPaths.includes("stringData"), "the Kubernetes Secret's data is a Pulumi secret");
    });

    it("keeps the token out of plain outputs", async () => {
        let cache: GatewayCache | undefined;
        const run = await runProgram({
            project: "ai-infra", stack: "t", config: {}, secretKeys: [], region: "us-east-1",
            program: async () => { cache = new GatewayCache("rl", args()); return { token: cache.authToken, endpoint: cache.endpoint }; },
        });
        assert.ok(pulumi.Output.isInstance(cache!.authToken));
        assert.equal(await (cache!.authToken as unknown as { isSecret: Promise<boolean> }).isSecret, true);
        assert.equal(typeof run.outputs.endpoint, "string");
    });

    it("rejects bad settings before declaring anything", () => {
        assert.throws(() => cacheSettings("c", args({ nodeType: "cache.x9.mega" })), /nodeType: "cache.x9.mega" is not allowed: must be one of cache.t4g.micro/);
        assert.throws(() => cacheSettings("c", args({ replicasPerShard: -1 })), /replicasPerShard: -1 is not allowed: must be an integer from 0 to 5/);
        assert.throws(() => cacheSettings("c", args({ environment: "prod", replicasPerShard: 0 })), /replicasPerShard: 0 is not allowed: must be an integer from 1 \(prod needs a replica for failover\) to 5/);
    });

    it("is wired by the platform into the gateway namespace with the cluster's security group", async () => {
        const { Platform } = await import("../../components/platform");
        const config = parseStackConfig(baseConfig());
        const resources = await declare(() => new Platform("ai", { config }));
        assert.equal(one(resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").inputs.referencedSecurityGroupId, "sg-ai-eks-cluster");
        assert.equal((one(resources, "kubernetes:core/v1:Namespace", "gateway").inputs.metadata as { name: string }).name, "envoy-gateway-system");
        assert.equal((one(resources, "kubernetes:core/v1:Secret", "ai-ratelimit-cache").inputs.metadata as { namespace: string }).namespace, "envoy-gateway-system");
    });
});
