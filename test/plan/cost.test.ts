import { strict as assert } from "assert";
import { CostResource, estimateCost } from "../../lib/cost";

const tags = (team: string) => ({ team });
const nodeGroup = (over: Record<string, unknown> = {}, deps: string[] = []): CostResource => ({
    urn: "urn:ng", type: "aws:eks/nodeGroup:NodeGroup", dependencies: deps,
    props: { nodeGroupName: "g", capacityType: "ON_DEMAND", instanceTypes: ["g6.xlarge"], scalingConfig: { minSize: 0, desiredSize: 1, maxSize: 2 }, tags: tags("a"), ...over },
});
const launchTemplate: CostResource = { urn: "urn:lt", type: "aws:ec2/launchTemplate:LaunchTemplate", props: { blockDeviceMappings: [{ ebs: { volumeSize: 250 } }] } };

describe("cost estimator", () => {
    it("prices on-demand nodes and their launch template's volume per node", () => {
        const est = estimateCost([launchTemplate, nodeGroup({}, ["urn:lt"])], { region: "us-east-1" });
        const perNode = 0.8048 * 730 + 250 * 0.08; // 607.504
        assert.deepEqual(est.byTeam.a, { min: 0, expected: 607.5, max: Math.round(perNode * 2 * 100) / 100 });
        assert.match(est.lines[0].description, /on-demand g6\.xlarge, 0\/1\/2 nodes, 250 GiB gp3 each/);
    });

    it("prices spot at the dearest type with the stack's discount override", () => {
        const est = estimateCost([nodeGroup({ capacityType: "SPOT", instanceTypes: ["g6.xlarge", "g5.xlarge"] })], { region: "us-east-1", spotDiscount: { g5: 0.5 } });
        // g5.xlarge at 50 % off ($0.503/h) beats g6.xlarge at 60 % off ($0.32192/h); no template: EKS's 20 GiB default.
        assert.equal(est.byTeam.a.expected, Math.round((1.006 * 0.5 * 730 + 20 * 0.08) * 100) / 100);
    });

    it("applies the eu-west-1 price factor", () => {
        const est = estimateCost([{ urn: "u", type: "aws:eks/cluster:Cluster", props: { tags: tags("platform") } }], { region: "eu-west-1" });
        assert.equal(est.monthly.max, Math.round(0.1 * 730 * 1.116 * 100) / 100);
    });

    it("says so when a region or a type has no price, never guessing", () => {
        const unknownRegion = estimateCost([nodeGroup()], { region: "ap-south-2" });
        assert.equal(unknownRegion.lines[0].unpriced, "no prices for region ap-south-2");
        assert.deepEqual(unknownRegion.monthly, { min: 0, expected: 0, max: 0 });
        assert.match(unknownRegion.warnings[0], /region ap-south-2 has no prices in the catalog/);
        const unknownType = estimateCost([nodeGroup({ instanceTypes: ["x9.mega"] })], { region: "us-east-1" });
        assert.equal(unknownType.lines[0].unpriced, "instance type x9.mega is not in the catalog");
        assert.match(unknownType.warnings[0], /urn:ng: not priced: instance type x9\.mega is not in the catalog/);
    });

    it("prices extended support, NAT gateways, cache groups and alarms; shows budgets beside teams", () => {
        const est = estimateCost([
            { urn: "c", type: "aws:eks/cluster:Cluster", props: { upgradePolicy: { supportType: "EXTENDED" }, tags: tags("platform") } },
            { urn: "n", type: "aws:ec2/natGateway:NatGateway", props: { tags: tags("platform") } },
            { urn: "r", type: "aws:elasticache/replicationGroup:ReplicationGroup", props: { nodeType: "cache.m7g.large", numNodeGroups: 2, replicasPerNodeGroup: 1, tags: tags("platform") } },
            { urn: "a", type: "aws:cloudwatch/metricAlarm:MetricAlarm", props: { tags: tags("platform") } },
            { urn: "x", type: "aws:iam/role:Role", props: { tags: tags("platform") } },
        ], { region: "us-east-1", budgets: { a: 100 } });
        assert.deepEqual(est.lines.map((l) => [l.kind, l.monthly.max]), [
            ["control-plane", 438], ["nat-gateway", 32.85], ["cache", Math.round(0.1264 * 730 * 4 * 100) / 100], ["alarm", 0.1],
        ]);
        assert.deepEqual(est.byTeam.a, { min: 0, expected: 0, max: 0, budget: 100 });
    });

    it("does not throw on malformed props", () => {
        for (const props of [{}, { instanceTypes: "g5.xlarge" }, { scalingConfig: null }, { instanceTypes: [null, 5] }, { tags: "x" }]) {
            estimateCost([nodeGroup(props), { urn: "r", type: "aws:elasticache/replicationGroup:ReplicationGroup", props }], { region: "us-east-1" });
        }
    });
});
