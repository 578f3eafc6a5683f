import { strict as assert } from "assert";
import { cacheEncryption, cacheRightSize, imdsv2Required } from "../../policies/cacheAndInstances";
import { globMatch, gpuInstanceAllowlist, scaleToZeroOutsideProd, spotDiversification, spotOutsideProd } from "../../policies/nodeGroups";
import { nodeGroup, resourceArgs, violations } from "./helpers";

const NG = "aws:eks/nodeGroup:NodeGroup";
const RG = "aws:elasticache/replicationGroup:ReplicationGroup";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";

describe("resource policies", () => {
    describe("gpu-instance-allowlist", () => {
        const cfg = { allowedInstanceTypes: ["g6.xlarge", "g5.*"] };
        it("passes allowed types and ignores general-purpose ones", async () => {
            assert.deepEqual(await violations(gpuInstanceAllowlist, resourceArgs(NG, nodeGroup("a", { instanceTypes: ["g6.xlarge", "g5.2xlarge"] }), cfg)), []);
            assert.deepEqual(await violations(gpuInstanceAllowlist, resourceArgs(NG, { instanceTypes: ["m7g.large"] }, cfg)), []);
        });
        it("fails each disallowed GPU type, in the catalog or not, naming it and the allowlist", async () => {
            assert.deepEqual(await violations(gpuInstanceAllowlist, resourceArgs(NG, nodeGroup("a", { instanceTypes: ["p5.48xlarge", "g9.mega", "x9.mega"] }), cfg, "big")), [
                'aws:eks/nodeGroup:NodeGroup "big" GPU instance type p5.48xlarge is not allowed here; allowed: g6.xlarge, g5.* (gpu-instance-allowlist.allowedInstanceTypes in the policy pack config)',
                'aws:eks/nodeGroup:NodeGroup "big" GPU instance type g9.mega (not in the catalog) is not allowed here; allowed: g6.xlarge, g5.* (gpu-instance-allowlist.allowedInstanceTypes in the policy pack config)',
            ]);
            assert.equal((await violations(gpuInstanceAllowlist, resourceArgs(LT, { instanceType: "g6e.48xlarge" }, cfg))).length, 1);
        });
        it("matches globs exactly", () => {
            assert.ok(globMatch("g6e.*", "g6e.12xlarge"));
            assert.ok(!globMatch("g6.*", "g6e.xlarge"));
            assert.ok(globMatch("g?.xlarge", "g5.xlarge"));
        });
    });

    describe("spot-outside-prod and scale-to-zero-outside-prod", () => {
        it("pass spot, scaled-to-zero GPU groups outside prod, and anything in prod", async () => {
            assert.deepEqual(await violations(spotOutsideProd, resourceArgs(NG, nodeGroup("a"), { environment: "dev" })), []);
            assert.deepEqual(await violations(scaleToZeroOutsideProd, resourceArgs(NG, nodeGroup("a"), { environment: "staging" })), []);
            const ondemand = nodeGroup("a", { capacityType: "ON_DEMAND", scalingConfig: { minSize: 2, maxSize: 4, desiredSize: 2 } });
            assert.deepEqual(await violations(spotOutsideProd, resourceArgs(NG, ondemand, { environment: "prod" })), []);
            assert.deepEqual(await violations(scaleToZeroOutsideProd, resourceArgs(NG, ondemand, { environment: "prod" })), []);
        });
        it("fail on-demand or always-on GPU groups outside prod, not system groups", async () => {
            const ondemand = nodeGroup("a", { capacityType: "ON_DEMAND", scalingConfig: { minSize: 1, maxSize: 4, desiredSize: 1 } });
            assert.deepEqual(await violations(spotOutsideProd, resourceArgs(NG, ondemand, { environment: "dev" }, "g")), ['aws:eks/nodeGroup:NodeGroup "g" capacityType is "ON_DEMAND"; GPU node groups in dev must use SPOT']);
            assert.deepEqual(await violations(spotOutsideProd, resourceArgs(NG, nodeGroup("a", { capacityType: undefined }), { environment: "dev" }, "g")), ['aws:eks/nodeGroup:NodeGroup "g" capacityType is "ON_DEMAND"; GPU node groups in dev must use SPOT'], "EKS defaults to ON_DEMAND");
            assert.deepEqual(await violations(scaleToZeroOutsideProd, resourceArgs(NG, ondemand, { environment: "dev" }, "g")), ['aws:eks/nodeGroup:NodeGroup "g" scalingConfig.minSize is 1; GPU node groups in dev must scale to 0']);
            const system = { capacityType: "ON_DEMAND", amiType: "AL2023_ARM_64_STANDARD", instanceTypes: ["m7g.large"], scalingConfig: { minSize: 2, maxSize: 4, desiredSize: 2 } };
            assert.deepEqual(await violations(spotOutsideProd, resourceArgs(NG, system, { environment: "dev" })), []);
            assert.deepEqual(await violations(scaleToZeroOutsideProd, resourceArgs(NG, system, { environment: "dev" })), []);
        });
    });

    describe("spot-diversification", () => {
        it("passes diversified spot groups and ignores on-demand ones", async () => {
            assert.deepEqual(await violations(spotDiversification, resourceArgs(NG, nodeGroup("a"), { minInstanceTypes: 2 })), []);
            assert.deepEqual(await violations(spotDiversification, resourceArgs(NG, nodeGroup("a", { capacityType: "ON_DEMAND", instanceTypes: ["g6.xlarge"] }), { minInstanceTypes: 2 })), []);
        });
        it("fails a spot group with too few types, naming the count and the minimum", async () => {
            assert.deepEqual(await violations(spotDiversification, resourceArgs(NG, nodeGroup("a"), { minInstanceTypes: 3 }, "g")), ['aws:eks/nodeGroup:NodeGroup "g" lists 2 instance types (g6.xlarge, g5.xlarge); spot groups need at least 3']);
        });
    });

    describe("cache-right-size", () => {
        it("passes allowed node types and fails others", async () => {
            const cfg = { allowedNodeTypes: ["cache.t4g.small"] };
            assert.deepEqual(await violations(cacheRightSize, resourceArgs(RG, { nodeType: "cache.t4g.small" }, cfg)), []);
            assert.deepEqual(await violations(cacheRightSize, resourceArgs(RG, { nodeType: "cache.r7g.xlarge" }, cfg, "c")), ['aws:elasticache/replicationGroup:ReplicationGroup "c" nodeType "cache.r7g.xlarge" is not allowed here; allowed: cache.t4g.small']);
        });
    });

    describe("cache-encryption", () => {
        const good = { atRestEncryptionEnabled: true, transitEncryptionEnabled: true, transitEncryptionMode: "required", authToken: "x" };
        it("passes encryption with an AUTH token or RBAC", async () => {
            assert.deepEqual(await violations(cacheEncryption, resourceArgs(RG, good)), []);
            const { authToken: _t, ...rbac } = good;
            assert.deepEqual(await violations(cacheEncryption, resourceArgs(RG, { ...rbac, userGroupIds: ["ug"] })), []);
        });
        it("fails each missing protection", async () => {
            assert.deepEqual(await violations(cacheEncryption, resourceArgs(RG, { transitEncryptionEnabled: true, transitEncryptionMode: "preferred" }, {}, "c")), [
                'aws:elasticache/replicationGroup:ReplicationGroup "c" atRestEncryptionEnabled is null; must be true',
                'aws:elasticache/replicationGroup:ReplicationGroup "c" transitEncryptionMode is "preferred"; must be "required" (preferred still accepts plaintext)',
                'aws:elasticache/replicationGroup:ReplicationGroup "c" has neither an AUTH token nor RBAC user groups; clients must authenticate',
            ]);
            assert.equal((await violations(cacheEncryption, resourceArgs(RG, { ...good, transitEncryptionEnabled: false }))).length, 1);
        });
    });

    describe("imdsv2-required", () => {
        it("passes required tokens or disabled metadata, fails optional tokens", async () => {
            assert.deepEqual(await violations(imdsv2Required, resourceArgs(LT, { metadataOptions: { httpTokens: "required" } })), []);
            assert.deepEqual(await violations(imdsv2Required, resourceArgs(LT, { metadataOptions: { httpEndpoint: "disabled" } })), []);
            assert.deepEqual(await violations(imdsv2Required, resourceArgs(LT, { metadataOptions: { httpTokens: "optional" } }, {}, "lt")), ['aws:ec2/launchTemplate:LaunchTemplate "lt" metadataOptions.httpTokens is "optional"; must be "required" (IMDSv2)']);
            assert.deepEqual(await violations(imdsv2Required, resourceArgs(LT, {}, {}, "lt")), ['aws:ec2/launchTemplate:LaunchTemplate "lt" metadataOptions.httpTokens is null; must be "required" (IMDSv2)']);
        });
    });
});
