import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import { CreateTagsCommand } from "@aws-sdk/client-ec2";
import { TagResourceCommand, UntagResourceCommand, UpdateNodegroupConfigCommand } from "@aws-sdk/client-eks";
import { cleanup } from "../../audit/cleanup";
import { Finding } from "../../audit/run";
import { arnOf, fakeAccount, FakeGroup, hours, node, NOW, runCli } from "./fakeAccount";

const DAY = hours(24);
const RESTORE = "minSize=0 maxSize=2 desiredSize=1 at=2026-11-20T00:00Z";

/** One idle, cleanable group plus an idle NAT gateway and a stray volume. */
function idleAccount(opts: { cluster?: string; environment?: string; group?: Partial<FakeGroup>; recheck?: { util?: number; mem?: number } } = {}) {
    const name = opts.group?.name ?? "eval-spot";
    return fakeAccount({
        cluster: opts.cluster, environment: opts.environment,
        groups: [{ name, team: "ml-research", capacity: "SPOT", instanceTypes: ["g6.xlarge"], minSize: 0, maxSize: 2, desiredSize: 1, ...opts.group }],
        nodes: [node("i-1", name, "g6.xlarge", DAY, { util: 0.3, mem: 1, ...(opts.recheck ? { recheck: opts.recheck } : {}) })],
        nats: [{ id: "nat-1", tags: { team: "platform" }, bytes: 0 }],
        volumes: [{ id: "vol-1", sizeGiB: 10, tags: { environment: opts.environment ?? "dev" } }],
    });
}

const updates = (m: ReturnType<typeof fakeAccount>) => m.eks.commandCalls(UpdateNodegroupConfigCommand).map((c) => c.args[0].input);
const tagged = (m: ReturnType<typeof fakeAccount>) => m.eks.commandCalls(TagResourceCommand).map((c) => (c.args[0].input as { tags: Record<string, string> }).tags);

describe("audit clean-up: safe to run twice, never surprising", () => {
    it("records the restore point first, then sets only desired size 0 (the field Pulumi ignores)", async () => {
        const m = idleAccount();
        const { code, out, err } = await runCli(["--stack", "dev", "--days", "1", "--cleanup", "--yes"], m);
        assert.equal(code, 0, err);
        assert.deepEqual(tagged(m), [{ "ai-infra/review": "idle-gpu-node-group 2026-11-20", "ai-infra/restore": RESTORE }]);
        assert.deepEqual(updates(m), [{ clusterName: "ai-dev", nodegroupName: "eval-spot", scalingConfig: { minSize: 0, maxSize: 2, desiredSize: 0 } }]);
        const order = m.eks.calls().map((c) => c.args[0].constructor.name).filter((n) => /TagResource|UpdateNodegroupConfig/.test(n));
        assert.deepEqual(order, ["TagResourceCommand", "UpdateNodegroupConfigCommand"]);
        assert.match(out, /applied: set desired size 0 \(minSize and maxSize unchanged\) and tag for review: node group eval-spot; undo: npm run audit -- --stack dev --restore --yes \(sets minSize 0, desired 1\)/);
        const sent = [m.eks, m.ec2, m.ec, m.cw, m.tag].flatMap((client) => client.calls().map((c) => c.args[0].constructor.name));
        assert.ok(!sent.some((n) => /Delete|Terminate|Remove/.test(n)), sent.join(", "));
    });

    it("a dry run changes nothing", async () => {
        const m = idleAccount();
        const { out } = await runCli(["--stack", "dev", "--days", "1", "--cleanup"], m);
        assert.deepEqual([updates(m).length, tagged(m).length, m.ec2.commandCalls(CreateTagsCommand).length], [0, 0, 0]);
        assert.match(out, /Clean-up \(dry run: add --yes to apply\)\n {2}would: set desired size 0/);
    });

    it("refuses a prod stack unless --allow names the resource", async () => {
        const m = idleAccount({ cluster: "ai-prod", environment: "prod" });
        const refused = await runCli(["--stack", "prod", "--days", "1", "--cleanup", "--yes"], m);
        assert.equal(refused.code, 0);
        assert.deepEqual([updates(m).length, tagged(m).length, m.ec2.commandCalls(CreateTagsCommand).length], [0, 0, 0], "--yes alone touches nothing in prod");
        assert.match(refused.out, /skipped: set desired size 0 .*: node group eval-spot \(refused: stack prod is prod; pass --allow eval-spot to act on this resource\)/);
        assert.match(refused.out, /Clean-up \(applied where possible\)/);
        assert.match(refused.out, /skipped: tag for review: NAT gateway nat-1 \(refused: stack prod is prod; pass --allow nat-1/);

        const allowed = await runCli(["--stack", "prod", "--days", "1", "--cleanup", "--yes", "--allow", "eval-spot"], m);
        assert.equal(allowed.code, 0, allowed.err);
        assert.equal(updates(m).length, 1, "only the named group is acted on");
        assert.equal(m.ec2.commandCalls(CreateTagsCommand).length, 0, "the NAT gateway was not named");
    });

    it("refuses a production-tier team's group unless named, even outside prod", async () => {
        const m = idleAccount();
        const finding: Finding = { kind: "idle-gpu-node-group", team: "search", resource: "node group search-spot", target: { service: "eks", id: "search-spot", arn: arnOf("ai-dev", "search-spot") }, evidence: { metric: "", period: "", value: "" }, detail: "" };
        const base = { cluster: "ai-dev", stack: "dev", environment: "dev", apply: true, productionTeams: new Set(["search"]), nodeGroups: [], now: NOW, log: () => undefined };
        const [refused] = await cleanup(m.c, [finding], { ...base, allow: new Set() });
        assert.equal(refused.status, "skipped");
        assert.equal(refused.reason, "refused: search is a production-tier team; pass --allow search-spot to act on this group");
        assert.equal(m.eks.calls().length, 0, "not even re-read");
    });

    it("refuses a group whose stack schedules would scale it up again", async () => {
        // prod's research-spot has nightly-batch at 22:00 UTC setting desired 4 (stacks/Pulumi.prod.yaml).
        const m = idleAccount({ cluster: "ai-prod", environment: "prod", group: { name: "research-spot", maxSize: 8 } });
        const { out } = await runCli(["--stack", "prod", "--days", "1", "--cleanup", "--yes", "--allow", "research-spot"], m);
        assert.match(out, /skipped: .*node group research-spot \(nightly-batch \(0 22 \* \* \* UTC: desired 4\) would scale it up again; change the schedule in stacks\/Pulumi\.prod\.yaml instead\)/);
        assert.equal(updates(m).length, 0);
    });

    it("re-checks the verdict before acting: a group busy since the audit is left alone", async () => {
        const m = idleAccount({ recheck: { util: 65 } });
        const { out } = await runCli(["--stack", "dev", "--days", "1", "--cleanup", "--yes"], m);
        assert.match(out, /skipped: .*node group eval-spot \(busy since the audit: GPU utilisation peaked at 65\.0 % in the last 3 h\)/);
        assert.deepEqual([updates(m).length, tagged(m).length], [0, 0]);
    });

    it("a second run keeps the first restore point and sends nothing for a group already at 0", async () => {
        const m = idleAccount();
        await runCli(["--stack", "dev", "--days", "1", "--cleanup", "--yes"], m);
        assert.equal(m.state.get("eval-spot")!.tags["ai-infra/restore"], RESTORE);
        const again = await runCli(["--stack", "dev", "--days", "1", "--cleanup", "--yes"], m);
        assert.equal(again.code, 0);
        assert.equal(updates(m).length, 1, "no second UpdateNodegroupConfig");
        assert.equal(tagged(m).length, 1, "no second TagResource");
        assert.match(again.out, /eval-spot\s+ml-research\s+scaled-to-zero/);

        // Someone scales it back up by hand; it is idle again: the original restore point stays.
        m.state.get("eval-spot")!.desiredSize = 2;
        await runCli(["--stack", "dev", "--days", "1", "--cleanup", "--yes"], m);
        assert.deepEqual(tagged(m)[1], { "ai-infra/review": "idle-gpu-node-group 2026-11-20" }, "the restore tag is not rewritten");
        assert.equal(m.state.get("eval-spot")!.tags["ai-infra/restore"], RESTORE);
    });

    it("if the restore point cannot be recorded nothing changes; every failure is reported, the JSON written, exit 5", async () => {
        const m = idleAccount();
        m.eks.on(TagResourceCommand).rejects(Object.assign(new Error("denied"), { name: "AccessDeniedException" }));
        m.ec2.on(CreateTagsCommand).rejectsOnce(Object.assign(new Error("denied"), { name: "UnauthorizedOperation" })).resolves({});
        const file = `${os.tmpdir()}/audit-cleanup-${process.pid}.json`;
        const { code, out } = await runCli(["--stack", "dev", "--days", "1", "--cleanup", "--yes", "--json", file], m);
        assert.equal(code, 5);
        assert.equal(updates(m).length, 0, "never scaled without a restore point");
        assert.match(out, /failed: set desired size 0 .*node group eval-spot \(restore point not recorded, so the group was not scaled: missing IAM permission eks:TagResource/);
        assert.match(out, /failed: tag for review: volume vol-1 \(missing IAM permission ec2:CreateTags/);
        assert.match(out, /applied: tag for review: NAT gateway nat-1/, "later actions still run");
        assert.match(out, /2 action\(s\) failed/);
        const doc = JSON.parse(fs.readFileSync(file, "utf8"));
        assert.deepEqual(doc.actions.map((a: { status: string }) => a.status), ["failed", "failed", "applied"]);
    });

    it("a scale-down that fails after the restore point was recorded says so and how to undo", async () => {
        const m = idleAccount();
        m.eks.on(UpdateNodegroupConfigCommand).rejects(Object.assign(new Error("Nodegroup is updating"), { name: "ResourceInUseException" }));
        const { code, out } = await runCli(["--stack", "dev", "--days", "1", "--cleanup", "--yes"], m);
        assert.equal(code, 5);
        assert.match(out, /failed: .*node group eval-spot \(restore point recorded but the scale-down failed: eks:UpdateNodegroupConfig failed: ResourceInUseException: Nodegroup is updating\); undo: size unchanged; remove the tags with npm run audit -- --stack dev --restore --yes/);
    });

    it("--restore puts the recorded sizes back, removes the tags, and is idempotent", async () => {
        const m = idleAccount();
        await runCli(["--stack", "dev", "--days", "1", "--cleanup", "--yes"], m);
        const dry = await runCli(["--stack", "dev", "--restore"], m);
        assert.match(dry.out, /would: set minSize 0, desired 1 \(recorded 2026-11-20T00:00Z\) and remove ai-infra\/restore, ai-infra\/review: node group eval-spot/);
        assert.equal(updates(m).length, 1);
        const real = await runCli(["--stack", "dev", "--restore", "--yes"], m);
        assert.equal(real.code, 0, real.err);
        assert.deepEqual(updates(m)[1], { clusterName: "ai-dev", nodegroupName: "eval-spot", scalingConfig: { minSize: 0, maxSize: 2, desiredSize: 1 } });
        assert.deepEqual(m.eks.commandCalls(UntagResourceCommand).map((c) => c.args[0].input), [{ resourceArn: arnOf("ai-dev", "eval-spot"), tagKeys: ["ai-infra/restore", "ai-infra/review"] }]);
        assert.deepEqual([m.state.get("eval-spot")!.desiredSize, m.state.get("eval-spot")!.tags["ai-infra/restore"]], [1, undefined]);
        const again = await runCli(["--stack", "dev", "--restore", "--yes"], m);
        assert.match(again.out, /nothing to do/);
        assert.equal(updates(m).length, 2);
    });
});
