import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import { UpdateNodegroupConfigCommand } from "@aws-sdk/client-eks";
import { rightSizeFromUsage } from "../../policies/rightSizeFromUsage";
import { resourceArgs, violations } from "../policies/helpers";
import { fakeAccount, FakeGroup, HOUR_MS, hours, node, runCli } from "./fakeAccount";

const TWO_WEEKS = hours(336);
const group = (g: Partial<FakeGroup> & { name: string }): FakeGroup => ({ team: "ml-research", capacity: "SPOT", instanceTypes: ["g6e.xlarge"], minSize: 0, maxSize: 2, desiredSize: 1, ...g });
const hourOfDay = (t: number) => new Date(t).getUTCHours();

describe("audit: idle verdicts that hold", () => {
    it("intermittent daily load: a 1-hour job at 100 % every day is busy, not a zombie", async () => {
        const m = fakeAccount({
            groups: [group({ name: "nightly" })],
            nodes: [node("i-job", "nightly", "g6e.xlarge", TWO_WEEKS, { util: (t) => (hourOfDay(t) === 2 ? 100 : 0.5), mem: (t) => (hourOfDay(t) === 2 ? 60 : 1) })],
        });
        const { code, out } = await runCli(["--stack", "dev", "--cleanup", "--yes"], m);
        assert.equal(code, 0, out);
        assert.ok(!out.includes("[idle-gpu-node-group]"), out);
        assert.match(out, /busy: GPU utilisation peaked at 100\.0 % \(hourly Maximum >= 2 %\)/);
        assert.equal(m.eks.commandCalls(UpdateNodegroupConfigCommand).length, 0);
    });

    it("a 5-minute burst each day is caught by the hourly Maximum even when every hourly Average is under 2 %", async () => {
        const m = fakeAccount({
            groups: [group({ name: "bursty" })],
            nodes: [node("i-b", "bursty", "g6e.xlarge", TWO_WEEKS, { util: (t) => (hourOfDay(t) === 3 ? 1.5 : 0.2), utilMax: (t) => (hourOfDay(t) === 3 ? 80 : 0.4), mem: 1 })],
        });
        const { out } = await runCli(["--stack", "dev"], m);
        assert.match(out, /bursty .*busy/);
        assert.match(out, /GPU utilisation peaked at 80\.0 %/);
        assert.ok(!out.includes("[idle-gpu-node-group]"));
    });

    it("a model resident in GPU memory under light traffic is busy; idle production-tier capacity is only a right-sizing candidate", async () => {
        const resident = fakeAccount({
            cluster: "ai-prod", environment: "prod",
            groups: [group({ name: "search-ondemand", team: "search", capacity: "ON_DEMAND", instanceTypes: ["g6.2xlarge"], minSize: 2, maxSize: 6, desiredSize: 2 })],
            nodes: ["i-s1", "i-s2"].map((id) => node(id, "search-ondemand", "g6.2xlarge", TWO_WEEKS, { util: 1, mem: 70 })),
        });
        const a = await runCli(["--stack", "prod", "--cleanup", "--yes"], resident);
        assert.match(a.out, /busy: GPU memory peaked at 70\.0 % \(>= 5 %\): a model is resident/);
        assert.ok(!a.out.includes("[idle-gpu-node-group]"));
        assert.equal(resident.eks.commandCalls(UpdateNodegroupConfigCommand).length, 0);

        const empty = fakeAccount({
            cluster: "ai-prod", environment: "prod",
            groups: [group({ name: "search-ondemand", team: "search", capacity: "ON_DEMAND", instanceTypes: ["g6.2xlarge"], minSize: 2, maxSize: 6, desiredSize: 2 })],
            nodes: ["i-s1", "i-s2"].map((id) => node(id, "search-ondemand", "g6.2xlarge", TWO_WEEKS, { util: 0.3, mem: 1 })),
        });
        const b = await runCli(["--stack", "prod", "--cleanup", "--yes"], empty);
        assert.ok(!b.out.includes("[idle-gpu-node-group]"), "production tier is never a zombie");
        assert.match(b.out, /\[review-idle-capacity\] search\/search-ondemand: every node-hour's peak GPU utilisation < 2 % .*production-tier team: a right-sizing candidate, never scaled down by the audit/);
        assert.equal(empty.eks.commandCalls(UpdateNodegroupConfigCommand).length, 0);
    });

    it("a group kept warm by minSize > 0 is a right-sizing candidate, not a zombie", async () => {
        const m = fakeAccount({
            groups: [group({ name: "warm", minSize: 1, desiredSize: 1 })],
            nodes: [node("i-w", "warm", "g6e.xlarge", TWO_WEEKS, { util: 0.2, mem: 1 })],
        });
        const { out } = await runCli(["--stack", "dev"], m);
        assert.match(out, /\[review-idle-capacity\] ml-research\/warm: .*minSize 1 keeps it warm on purpose/);
        assert.ok(!out.includes("[idle-gpu-node-group]"));
    });

    it("a scale-to-zero group that ran 10 of 336 hours is priced on those hours and, at 0 today, is no zombie", async () => {
        const ran = TWO_WEEKS.slice(100, 110);
        const atZero = fakeAccount({
            groups: [group({ name: "research-spot", instanceTypes: ["g6.xlarge"], desiredSize: 0 })],
            nodes: [node("i-r", "research-spot", "g6.xlarge", ran, { util: 0.5, mem: 1 })],
        });
        const a = await runCli(["--stack", "dev"], atZero);
        assert.ok(!a.out.includes("[idle-gpu-node-group]"), a.out);
        // 0.8048 × (1 − 0.60 spot) × 730 × 10/336 = $6.99, not the $235.00 of a group running all month.
        assert.match(a.out, /research-spot\s+ml-research\s+scaled-to-zero .* 10\s+0\.03\s+1\s+\d+\s+\$6\.99/);

        const stillUp = fakeAccount({
            groups: [group({ name: "research-spot", instanceTypes: ["g6.xlarge"], desiredSize: 1 })],
            nodes: [node("i-r", "research-spot", "g6.xlarge", TWO_WEEKS.slice(-10), { util: 0.5, mem: 1 })],
        });
        const b = await runCli(["--stack", "dev"], stillUp);
        assert.match(b.out, /\[idle-gpu-node-group\] ml-research: node group research-spot: .* = peak 0\.50 %, GPU memory peak 1\.00 %, 10 node-hour\(s\) in 10 of 336 hour\(s\); wastes \$6\.99\/month\. idle: every node-hour's peak GPU utilisation < 2 % \(max 0\.5 %\) and GPU memory < 5 % \(max 1\.0 %\) in all 10 hour\(s\) with data of 336, GPU allocation not published/);
    });

    it("smaller-type advice is bounded by the largest per-node GPU memory and by compute", async () => {
        const serve = (nodes: { util: number; mem: number }[]) => fakeAccount({
            groups: [group({ name: "serve", capacity: "ON_DEMAND", minSize: 0, maxSize: 2, desiredSize: 2 })],
            nodes: nodes.map((v, i) => node(`i-${i}`, "serve", "g6e.xlarge", TWO_WEEKS, v)),
        });
        // One node at 70 % of 44.7 GiB (31.3 GiB) beside an idle one: the mean (35.5 %, 19.8 GiB with headroom) would allow 22.35 GiB; the largest does not.
        const lopsided = await runCli(["--stack", "dev"], serve([{ util: 20, mem: 70 }, { util: 1, mem: 1 }]));
        assert.ok(!lopsided.out.includes("[smaller-instance-type]"), lopsided.out);
        // An L40S at 50 % needs 362 × 0.5 × 1.25 = 226 TFLOPS: an L4 (121) cannot carry it.
        const halfBusy = await runCli(["--stack", "dev"], serve([{ util: 50, mem: 30 }, { util: 50, mem: 30 }]));
        assert.ok(!halfBusy.out.includes("[smaller-instance-type]"), halfBusy.out);
        // At 20 %: 90 TFLOPS and 44.7 × 30 % × 1.25 = 16.8 GiB fit an L4 (g6.xlarge, 22.35 GiB usable), not an A10G (70) or a T4 (65).
        const light = await runCli(["--stack", "dev"], serve([{ util: 20, mem: 30 }, { util: 20, mem: 30 }]));
        assert.ok(light.out.includes("[smaller-instance-type] ml-research/serve: g6e.xlarge -> g6.xlarge: largest per-node GPU memory use 30.0 % of 44.7 GiB needs 16.8 GiB per GPU with headroom (g6.xlarge has 22.35 GiB); busiest node-hour 20.0 % of a NVIDIA L40S (362 TFLOPS) needs 91 TFLOPS (NVIDIA L4 has 121); host shrinks to 4 vCPU / 16 GiB (now 4 / 32): check the pods' CPU and memory requests first; saves $1,542.05/month"), light.out);
    });

    it("smaller-type advice stays within the environment's gpu-instance-allowlist", () => {
        const { recommend, usageOf, verdictOf } = require("../../audit/analyze") as typeof import("../../audit/analyze");
        const t = TWO_WEEKS.slice(0, 3);
        const g = { name: "serve", team: "t", capacity: "ON_DEMAND" as const, instanceTypes: ["g6e.xlarge"], minSize: 0, maxSize: 2, desiredSize: 1 };
        const s = (v: number) => [{ id: "i-1", timestamps: t, values: t.map(() => v) }];
        const u = usageOf({ ...g, windowHours: 3, incomplete: [], gpuUtilization: s(20), gpuUtilizationMax: s(20), gpuMemoryMax: s(30), gpusAllocated: [] });
        const pick = (allowed: string[]) => recommend(g, u, verdictOf(g, u, false), { region: "us-east-1", spotAllowed: false, typeAllowed: (x) => allowed.includes(x) })
            .find((r) => r.kind === "smaller-instance-type")?.detail.split(":")[0];
        assert.equal(pick(["g6.xlarge", "g6.2xlarge"]), "g6e.xlarge -> g6.xlarge");
        assert.equal(pick(["g6.2xlarge"]), "g6e.xlarge -> g6.2xlarge");
        assert.equal(pick(["g4dn.xlarge"]), undefined, "a T4 cannot carry the load, and nothing else is allowed");
        // lower-max-size is one above the peak (1 node) but never below minSize: 2 with minSize 2, 3 with minSize 3.
        const warm = { ...g, minSize: 2, maxSize: 6, desiredSize: 2 };
        const maxRec = recommend(warm, u, verdictOf(warm, u, false), { region: "us-east-1", spotAllowed: false }).find((r) => r.kind === "lower-max-size");
        assert.match(maxRec!.detail, /^maxSize 6 -> 2:/);
        const warmer = { ...g, minSize: 3, maxSize: 6, desiredSize: 3 };
        assert.match(recommend(warmer, u, verdictOf(warmer, u, false), { region: "us-east-1", spotAllowed: false }).find((r) => r.kind === "lower-max-size")!.detail, /^maxSize 6 -> 3:/);
    });

    it("demand for right-size-from-usage counts whole GPUs in use, and the policy judges maxSize against it", async () => {
        const file = `${os.tmpdir()}/audit-demand-${process.pid}.json`;
        const twoAtHalf = fakeAccount({
            groups: [group({ name: "serve", capacity: "ON_DEMAND", maxSize: 6, desiredSize: 2 })],
            nodes: ["i-1", "i-2"].map((id) => node(id, "serve", "g6e.xlarge", TWO_WEEKS, { util: 50, mem: 30 })),
        });
        await runCli(["--stack", "dev", "--json", file], twoAtHalf);
        const cfg = JSON.parse(fs.readFileSync(file, "utf8")).policyConfig["right-size-from-usage"];
        // Two pods at 50 % still hold two GPUs (utilisation would have said 1).
        assert.deepEqual(cfg.usage.serve, { p95GpuUtilization: 50, peakNodes: 2, demandGpus: 2, demandSource: "active-nodes", measuredAt: "2026-11-20" });
        const props = (maxSize: number) => ({ nodeGroupName: "serve", capacityType: "ON_DEMAND", instanceTypes: ["g6e.xlarge"], scalingConfig: { minSize: 0, maxSize, desiredSize: 2 } });
        assert.deepEqual(await violations(rightSizeFromUsage, resourceArgs("aws:eks/nodeGroup:NodeGroup", props(6), cfg, "serve")), [
            'aws:eks/nodeGroup:NodeGroup "serve" can scale to 6 GPUs (maxSize 6 x 1) but at most 2 whole GPU(s) were in use at once (on nodes that did work; p95 utilisation 50 % on up to 2 node(s), audit of 2026-11-20); more than 50 % above demand',
        ]);
        assert.deepEqual(await violations(rightSizeFromUsage, resourceArgs("aws:eks/nodeGroup:NodeGroup", props(3), cfg, "serve")), [], "3 GPUs is within 50 % of 2");

        // With node_gpu_usage_total published, pods' GPU allocation is the demand: 4-GPU nodes holding 3 GPUs at the busiest hour.
        const allocated = fakeAccount({
            groups: [group({ name: "multi", instanceTypes: ["g6.12xlarge"], maxSize: 4, desiredSize: 2 })],
            nodes: [node("i-a", "multi", "g6.12xlarge", TWO_WEEKS, { util: 30, mem: 40, alloc: (t) => (hourOfDay(t) === 12 ? 2 : 1) }),
                node("i-b", "multi", "g6.12xlarge", TWO_WEEKS, { util: 30, mem: 40, alloc: 1 })],
        });
        await runCli(["--stack", "dev", "--json", file], allocated);
        const multi = JSON.parse(fs.readFileSync(file, "utf8")).policyConfig["right-size-from-usage"].usage.multi;
        assert.equal(multi.demandGpus, 3);
        assert.equal(multi.demandSource, "allocated");
    });

    it("node history comes from the metrics' instance dimension, so replaced nodes count", async () => {
        const spec = (extraGroup?: FakeGroup) => ({
            groups: [group({ name: "research-spot", instanceTypes: ["g6.xlarge"], maxSize: 6, desiredSize: 1 }), ...(extraGroup ? [extraGroup] : [])],
            nodes: [
                // Two nodes replaced a week ago (EC2 no longer lists them) ran at once; one runs today.
                node("i-old-1", "research-spot", "g6.xlarge", TWO_WEEKS.slice(0, 100), { util: 40, mem: 30, terminated: true }),
                node("i-old-2", "research-spot", "g6.xlarge", TWO_WEEKS.slice(0, 100), { util: 40, mem: 30, terminated: true }),
                node("i-new", "research-spot", "g6.xlarge", TWO_WEEKS.slice(300), { util: 40, mem: 30 }),
            ],
        });
        const { out } = await runCli(["--stack", "dev"], fakeAccount(spec()));
        assert.match(out, /\[lower-max-size\] ml-research\/research-spot: maxSize 6 -> 3: at most 2 node\(s\) reported at once in the period \(3 distinct node\(s\) seen in the metrics\)/);
        // 236 node-hours of 336 are paid for, not 36 (today's node only).
        assert.match(out, /research-spot\s+ml-research\s+busy .*\s236\s+0\.70\s+2\s/);

        // When another group lists the same type, a vanished node cannot be attributed: unknown, no lower-max-size.
        const ambiguous = await runCli(["--stack", "dev"], fakeAccount(spec(group({ name: "other", instanceTypes: ["g6.xlarge"], desiredSize: 0 }))));
        assert.match(ambiguous.out, /research-spot\s+ml-research\s+unknown/);
        assert.match(ambiguous.out, /node i-old-1 \(g6\.xlarge\) seen in the metrics could belong to research-spot or other/);
        assert.ok(!ambiguous.out.includes("[lower-max-size] ml-research/research-spot"));
    });

    it("a metric result that is not Complete makes the verdict unknown, never idle", async () => {
        for (const code of ["PartialData", "InternalError", "Forbidden"] as const) {
            const m = fakeAccount({
                groups: [group({ name: "quiet" })],
                nodes: [node("i-q", "quiet", "g6e.xlarge", TWO_WEEKS, { util: 0.1, mem: 1 })],
                caches: [{ id: "ai-dev-ratelimit", nodeType: "cache.t4g.micro" }],
                status: { node_gpu_utilization: { code, message: "Retry" }, GetTypeCmds: { code } },
            });
            const { out } = await runCli(["--stack", "dev", "--cleanup", "--yes"], m);
            assert.ok(!out.includes("[idle-gpu-node-group]"), `${code}: ${out}`);
            assert.ok(!out.includes("[idle-cache]"), code);
            assert.match(out, new RegExp(`node group quiet: metric data incomplete \\(.*node_gpu_utilization: ${code} \\(${code}: Retry\\)`));
            assert.match(out, new RegExp(`cache ai-dev-ratelimit: metric data incomplete \\(c0_0_gettypecmds: ${code}`));
            assert.equal(m.eks.commandCalls(UpdateNodegroupConfigCommand).length, 0);
        }
        // Past 14 days SEARCH cannot see nodes that stopped earlier: the GPU verdict is unknown, not idle.
        const long = fakeAccount({ groups: [group({ name: "quiet" })], nodes: [node("i-q", "quiet", "g6e.xlarge", hours(24 * 30), { util: 0.1, mem: 1 })] });
        const month = await runCli(["--stack", "dev", "--days", "30"], long);
        assert.match(month.out, /node group quiet: metric data incomplete \(node history: CloudWatch SEARCH finds only nodes that reported in the last 14 days; use --days 14 or less\)/);
        assert.ok(!month.out.includes("[idle-gpu-node-group]"));
        // Missing data is unknown too: a cache with no datapoints is not "0 commands".
        const silent = await runCli(["--stack", "dev"], fakeAccount({ groups: [], nodes: [], caches: [{ id: "c", nodeType: "cache.t4g.micro" }] }));
        assert.match(silent.out, /cache c: no GetTypeCmds\/SetTypeCmds\/EvalBasedCmds datapoints in the period/);
        assert.ok(!silent.out.includes("[idle-cache]"));
    });

    it("the team savings total takes one recommendation per group, never a smaller type plus spot", async () => {
        const m = fakeAccount({
            groups: [group({ name: "serve", capacity: "ON_DEMAND", maxSize: 6, desiredSize: 2 }), group({ name: "batch", capacity: "ON_DEMAND", instanceTypes: ["g6.xlarge"], maxSize: 1, desiredSize: 1 })],
            nodes: [
                ...["i-1", "i-2"].map((id) => node(id, "serve", "g6e.xlarge", TWO_WEEKS, { util: 20, mem: 30 })),
                node("i-3", "batch", "g6.xlarge", TWO_WEEKS, { util: 90, mem: 90 }),
            ],
        });
        const { out } = await runCli(["--stack", "dev"], m);
        // serve: smaller type (1.861 − 0.8048) × 730 × 2 = $1,542.05 or spot 1.861 × 0.55 × 730 × 2 = $1,494.38: the best one counts.
        assert.match(out, /\[smaller-instance-type\] ml-research\/serve: .*saves \$1,542\.05\/month/);
        assert.match(out, /\[move-to-spot\] ml-research\/serve: .*saves \$1,494\.38\/month/);
        // batch: spot only, 0.8048 × 0.60 × 730 = $352.50. Total 1,542.05 + 352.50 = $1,894.55 (not $3,388.93).
        assert.match(out, /\[move-to-spot\] ml-research\/batch: .*saves \$352\.50\/month/);
        assert.match(out, /ml-research\s+waste\s+\$0\.00 · possible saving\s+\$1,894\.55/);
    });

    it("every hour without data is neither a zero-node hour nor spend", () => {
        const { usageOf } = require("../../audit/analyze") as typeof import("../../audit/analyze");
        const t = [0, 1, 2].map((h) => h * HOUR_MS);
        const u = usageOf({ name: "g", team: "t", capacity: "SPOT", instanceTypes: ["g6.12xlarge"], minSize: 0, maxSize: 4, desiredSize: 0, windowHours: 10, incomplete: [],
            gpuUtilization: [{ id: "a", timestamps: t, values: [10, 90, 50] }, { id: "b", timestamps: [t[1]], values: [70] }], gpuUtilizationMax: [], gpuMemoryMax: [], gpusAllocated: [] });
        assert.deepEqual([u.hoursWithData, u.nodeHours, u.averageNodes, u.peakNodes, u.gpusPerNode, u.gpu?.max, u.busiestNodeHour], [3, 4, 0.4, 2, 4, 80, 90]);
    });
});
