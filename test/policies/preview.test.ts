import { strict as assert } from "assert";
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { UNKNOWN_SENTINELS } from "../../components/tagResolution";
import { policies } from "../../policies/pack";
import { cacheEncryption } from "../../policies/cacheAndInstances";
import { resourceArgs, stackResource, violations } from "./helpers";

// The proxy and sentinels are @pulumi/policy's own, exactly as its server wraps every resource's props in a preview.
const proxy = require("@pulumi/policy/proxy") as {
    unknownCheckingProxy: <T extends object>(o: T) => T;
    unknownStringValue: string; unknownArrayValue: string; unknownObjectValue: string; unknownNumberValue: string; unknownBooleanValue: string;
    unknownAssetValue: string; unknownArchiveValue: string;
};
const U = { s: proxy.unknownStringValue, a: proxy.unknownArrayValue, o: proxy.unknownObjectValue, n: proxy.unknownNumberValue, b: proxy.unknownBooleanValue };

/** What a first preview sends for each resource kind: ids, ARNs, generated secrets and computed maps unknown. */
const PREVIEW_PROPS: Record<string, Record<string, unknown>> = {
    "aws:eks/nodeGroup:NodeGroup": { clusterName: U.s, nodeRoleArn: U.s, subnetIds: U.a, instanceTypes: ["g6.xlarge"], capacityType: "SPOT", scalingConfig: { minSize: 0, maxSize: U.n, desiredSize: 0 }, launchTemplate: { id: U.s, version: U.s }, tags: { team: "a", environment: "dev", owner: U.s } },
    "aws:ec2/launchTemplate:LaunchTemplate": { instanceType: U.s, imageId: U.s, metadataOptions: { httpTokens: U.s }, tags: U.o },
    "aws:ec2/instance:Instance": { instanceType: "p4d.24xlarge", ami: U.s, subnetId: U.s, tags: { team: U.s } },
    "aws:autoscaling/group:Group": { maxSize: 2, launchTemplate: { id: U.s }, mixedInstancesPolicy: { launchTemplate: { overrides: U.a } } },
    "aws:elasticache/replicationGroup:ReplicationGroup": { nodeType: "cache.t4g.small", atRestEncryptionEnabled: true, transitEncryptionEnabled: true, transitEncryptionMode: "required", authToken: U.s, userGroupIds: U.a, securityGroupIds: U.a },
    "aws:budgets/budget:Budget": { limitAmount: U.s, costFilters: U.a, notifications: [{ notificationType: "ACTUAL", threshold: 70, subscriberSnsTopicArns: U.a }] },
    "aws:ec2/vpc:Vpc": { cidrBlock: "10.0.0.0/16", tags: { team: "a", "cost-center": U.s, environment: U.s, owner: "o", "managed-by": "pulumi" } },
    "kubernetes:apps/v1:Deployment": { metadata: { namespace: U.s, labels: U.o }, spec: U.o },
    "kubernetes:core/v1:Secret": { metadata: { annotations: U.o }, stringData: U.o },
    "kubernetes:gateway.envoyproxy.io/v1alpha1:BackendTrafficPolicy": { spec: { rateLimit: { global: { rules: U.a } } } },
    "kubernetes:aigateway.envoyproxy.io/v1beta1:AIGatewayRoute": { metadata: { name: U.s }, spec: U.o },
};

const isResource = (p: unknown): p is ResourceValidationPolicy => (p as ResourceValidationPolicy).validateResource !== undefined;
const isStack = (p: unknown): p is StackValidationPolicy => typeof (p as StackValidationPolicy).validateStack === "function";
const declared = (p: { configSchema?: { properties?: object } }, cfg: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(cfg).filter(([k]) => Object.keys(p.configSchema?.properties ?? {}).includes(k)));
// Every policy's optional inputs switched on, so no rule returns before reading the props.
const CONFIG = { environment: "dev", knownTeams: [], workloadNamespaces: ["*"], usage: { "r": { demandGpus: 1, p95GpuUtilization: 10, peakNodes: 1 } }, marginPercent: 0 };

describe("preview safety (unknown values in a first preview)", () => {
    it("pins the unknown sentinels to the installed @pulumi/policy", () => {
        assert.deepEqual([...UNKNOWN_SENTINELS].sort(), [U.b, U.n, U.s, U.a, proxy.unknownAssetValue, proxy.unknownArchiveValue, U.o].sort());
    });

    it("no resource policy reads an unknown value: none throws, so none degrades to advisory", async () => {
        for (const policy of policies.filter(isResource)) {
            for (const [type, props] of Object.entries(PREVIEW_PROPS)) {
                const args = resourceArgs(type, proxy.unknownCheckingProxy(JSON.parse(JSON.stringify(props))), declared(policy, CONFIG));
                await assert.doesNotReject(async () => { await violations(policy, args); }, `${policy.name} on ${type}`);
                if (policy.remediateResource) await assert.doesNotReject(async () => { await policy.remediateResource!(args); }, `${policy.name} remediation on ${type}`);
            }
        }
    });

    it("no stack policy reads an unknown value", async () => {
        const resources: PolicyResource[] = Object.entries(PREVIEW_PROPS).map(([type, props], i) => ({
            ...stackResource(type, `r${i}`, proxy.unknownCheckingProxy(JSON.parse(JSON.stringify(props)))),
            provider: { type: "pulumi:providers:aws", urn: "urn:p", name: "p", props: proxy.unknownCheckingProxy({ region: U.s, defaultTags: U.s }) },
        }));
        for (const policy of policies.filter(isStack)) {
            await assert.doesNotReject(async () => {
                await policy.validateStack({ resources, stackTags: new Map(), getConfig: <T extends object>() => declared(policy, CONFIG) as T, notApplicable: () => { throw new Error("n/a"); } }, () => undefined);
            }, policy.name);
        }
    });

    it("cache-encryption counts an AUTH token unknown in a first preview as set (regression: degraded to advisory)", async () => {
        const props = proxy.unknownCheckingProxy({ atRestEncryptionEnabled: true, transitEncryptionEnabled: true, transitEncryptionMode: "required", authToken: U.s });
        assert.deepEqual(await violations(cacheEncryption, resourceArgs("aws:elasticache/replicationGroup:ReplicationGroup", props)), []);
        const none = proxy.unknownCheckingProxy({ atRestEncryptionEnabled: true, transitEncryptionEnabled: true });
        assert.equal((await violations(cacheEncryption, resourceArgs("aws:elasticache/replicationGroup:ReplicationGroup", none))).length, 1);
    });
});
