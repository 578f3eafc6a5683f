import { strict as assert } from "assert";
import { CostResource, estimateCost } from "../../lib/cost";

const TAGS = { team: "ml" };
const eu = { region: "eu-west-1" };

describe("cost estimator on any program", () => {
    it("prices a plain EC2 GPU instance for its team (regression: a p4d.24xlarge cost nothing)", () => {
        const est = estimateCost([{ urn: "urn:i", type: "aws:ec2/instance:Instance", props: { instanceType: "p4d.24xlarge", tags: TAGS, rootBlockDevice: { volumeSize: 100 } } }], { region: "us-east-1" });
        assert.equal(est.lines.length, 1);
        assert.equal(est.lines[0].kind, "instance");
        assert.equal(est.byTeam.ml.max, 16038.8, "$21.96/h x 730 h + 100 GiB x $0.08");
        assert.equal(est.byTeam.ml.min, est.byTeam.ml.max, "an instance runs whatever the scale");
    });

    it("prices a node group whose type comes from its launch template, and an ASG's mixed-instances overrides at the dearest", () => {
        const lt: CostResource = { urn: "urn:lt", type: "aws:ec2/launchTemplate:LaunchTemplate", props: { name: "gpu", instanceType: "g6.xlarge" } };
        const ng: CostResource = { urn: "urn:ng", type: "aws:eks/nodeGroup:NodeGroup", props: { nodeGroupName: "ng", launchTemplate: { name: "gpu" }, scalingConfig: { minSize: 0, desiredSize: 0, maxSize: 2 }, tags: TAGS } };
        const asg: CostResource = { urn: "urn:asg", type: "aws:autoscaling/group:Group", props: { name: "asg", minSize: 1, maxSize: 3, tags: [], mixedInstancesPolicy: { launchTemplate: { overrides: [{ instanceType: "g6.xlarge" }, { instanceType: "g6.12xlarge" }] } } } };
        const est = estimateCost([lt, ng, asg], { region: "us-east-1" });
        const ngLine = est.lines.find((l) => l.urn === "urn:ng")!;
        assert.equal(ngLine.unpriced, undefined);
        assert.match(ngLine.description, /g6\.xlarge \(from launch template/);
        const asgLine = est.lines.find((l) => l.urn === "urn:asg")!;
        assert.equal(asgLine.kind, "autoscaling-group");
        assert.ok(asgLine.monthly.max > ngLine.monthly.max, "three of the dearest override, not the cheapest");
    });

    it("charges the provider's default-tagged team and prices each resource in its provider's region", () => {
        const group = (providerProps: Record<string, unknown>): CostResource => ({
            urn: "urn:ng", type: "aws:eks/nodeGroup:NodeGroup", providerProps,
            props: { nodeGroupName: "g", capacityType: "ON_DEMAND", instanceTypes: ["g6.xlarge"], scalingConfig: { minSize: 1, desiredSize: 1, maxSize: 1 } },
        });
        const us = estimateCost([group({ region: "us-east-1", defaultTags: JSON.stringify({ tags: { team: "vision" } }) })], { region: "us-east-1" });
        assert.ok(us.byTeam.vision, "team from the provider's default tags");
        const inEu = estimateCost([group({ ...eu, defaultTags: { tags: { team: "vision" } } })], { region: "us-east-1" });
        assert.equal(inEu.byTeam.vision.max, Math.round(us.byTeam.vision.max * 1.116 * 100) / 100);
    });
});
