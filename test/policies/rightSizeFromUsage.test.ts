import { strict as assert } from "assert";
import { rightSizeFromUsage } from "../../policies/rightSizeFromUsage";
import { resourceArgs, violations } from "./helpers";

const NG = "aws:eks/nodeGroup:NodeGroup";
const props = (maxSize: number, instanceTypes = ["g6e.xlarge"]) => ({ nodeGroupName: "serve", capacityType: "ON_DEMAND", instanceTypes, scalingConfig: { minSize: 0, maxSize, desiredSize: 1 } });
const cfg = (demandGpus: number, demandSource?: string) => ({ marginPercent: 50, usage: { serve: { p95GpuUtilization: 50, peakNodes: 2, demandGpus, ...(demandSource ? { demandSource } : {}), measuredAt: "2026-11-20" } } });

describe("right-size-from-usage", () => {
    it("judges maxSize × GPUs against whole GPUs in use at the busiest hour, at the margin's boundary", async () => {
        // 2 GPUs in use, 50 % margin: up to 3 GPUs pass, 4 fail.
        assert.deepEqual(await violations(rightSizeFromUsage, resourceArgs(NG, props(3), cfg(2, "allocated"), "serve")), []);
        assert.deepEqual(await violations(rightSizeFromUsage, resourceArgs(NG, props(4), cfg(2, "allocated"), "serve")), [
            'aws:eks/nodeGroup:NodeGroup "serve" can scale to 4 GPUs (maxSize 4 x 1) but at most 2 whole GPU(s) were in use at once (held by pods; p95 utilisation 50 % on up to 2 node(s), audit of 2026-11-20); more than 50 % above demand',
        ]);
        assert.match((await violations(rightSizeFromUsage, resourceArgs(NG, props(4), cfg(2, "active-nodes"), "serve")))[0], /on nodes that did work/);
    });

    it("counts GPUs per node of the largest listed type and ignores unmeasured groups", async () => {
        // g6.12xlarge has 4 GPUs: maxSize 2 asks for 8 against 2 in use.
        assert.equal((await violations(rightSizeFromUsage, resourceArgs(NG, props(2, ["g6.12xlarge"]), cfg(2), "serve"))).length, 1);
        assert.deepEqual(await violations(rightSizeFromUsage, resourceArgs(NG, { ...props(6), nodeGroupName: "unmeasured" }, cfg(1))), []);
    });
});
