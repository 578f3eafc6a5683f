import { strict as assert } from "assert";
import * as fs from "fs";
import { inputChanges } from "../../plan/diff";
import { cli, fixture, tmp } from "./runCli";

const read = (f: string) => JSON.parse(fs.readFileSync(f, "utf8"));
const small = fs.readFileSync(fixture("Pulumi.small.yaml"), "utf8");

function stackFile(name: string, text: string): string {
    const f = tmp(`Pulumi.${name}.yaml`);
    fs.writeFileSync(f, text);
    return f;
}

// Base: the small stack plus a group "old". Head: "old" removed, "llm" scaled to zero (fixing a violation),
// a new single-type spot group "extra" (a new violation).
const BASE = `${small}    old:\n      team: ml-research\n      capacity: spot\n      instanceTypes: [g5.xlarge, g6.xlarge]\n      minSize: 0\n      maxSize: 1\n      desiredSize: 0\n`;
const HEAD = `${small.replace("minSize: 1", "minSize: 0")}    extra:\n      team: ml-research\n      capacity: spot\n      instanceTypes: [g6.xlarge]\n      minSize: 0\n      maxSize: 1\n      desiredSize: 0\n`;

describe("plan diff against a baseline", () => {
    let base: string, headJson: string, headMd: string, text: string, code: number, smallBase: string;
    before(async () => {
        smallBase = tmp("small.json");
        assert.equal((await cli(["small", "--config-file", fixture("Pulumi.small.yaml"), "--json", smallBase])).code, 1);
        base = tmp("base.json");
        assert.equal((await cli(["small", "--config-file", stackFile("small", BASE), "--json", base])).code, 1);
        headJson = tmp("head.json");
        headMd = tmp("head.md");
        ({ code, out: text } = await cli(["small", "--config-file", stackFile("small", HEAD), "--baseline", base, "--json", headJson, "--markdown", headMd]));
    });

    it("matches lines by URN: added, removed and changed with the inputs that moved", () => {
        const diff = read(headJson).diff;
        assert.deepEqual(diff.lines.added.map((l: { urn: string }) => l.urn.split("::").pop()), ["extra"]);
        assert.deepEqual(diff.lines.removed.map((l: { urn: string }) => l.urn.split("::").pop()), ["old"]);
        assert.equal(diff.lines.changed.length, 1);
        const llm = diff.lines.changed[0];
        assert.equal(llm.urn.split("::").pop(), "llm");
        // One node fewer at min: $301.75 (g5.xlarge spot at 60 % off, 730 h, 100 GiB gp3).
        assert.deepEqual(llm.delta, { min: -301.75, expected: 0, max: 0 });
        assert.deepEqual(llm.inputs.find((c: { path: string }) => c.path === "scalingConfig.minSize"), { path: "scalingConfig.minSize", before: 1, after: 0 });
        assert.equal(diff.lines.unchanged, read(headJson).cost.lines.length - 2);
    });

    it("gives before, after and delta per team and in total", () => {
        const doc = read(headJson), old = read(base);
        const t = doc.diff.byTeam["ml-research"];
        assert.deepEqual(t.before, { min: old.cost.byTeam["ml-research"].min, expected: old.cost.byTeam["ml-research"].expected, max: old.cost.byTeam["ml-research"].max });
        assert.deepEqual(t.after.max, doc.cost.byTeam["ml-research"].max);
        for (const k of ["min", "expected", "max"]) {
            assert.equal(t.delta[k], Math.round((t.after[k] - t.before[k]) * 100) / 100, k);
            assert.equal(doc.diff.monthly.delta[k], Math.round((doc.cost.monthly[k] - old.cost.monthly[k]) * 100) / 100, k);
        }
        // "old" (g5.xlarge spot, max 1) out, "extra" (g6.xlarge spot, max 1) in; both 100 GiB gp3 (the config default).
        const perNode = (hourly: number) => hourly * 0.4 * 730 + 100 * 0.08;
        assert.equal(t.delta.max, Math.round((perNode(0.8048) - perNode(1.006)) * 100) / 100);
    });

    it("sorts violations into new, fixed and unchanged", () => {
        const v = read(headJson).diff.violations;
        assert.deepEqual(v.fixed.map((x: { policy: string }) => x.policy), ["scale-to-zero-outside-prod"]);
        assert.match(v.fixed[0].message, /"llm" scalingConfig\.minSize is 1/);
        assert.ok(v.new.some((x: { policy: string; message: string }) => x.policy === "spot-diversification" && /extra/.test(x.message)), JSON.stringify(v.new));
        assert.equal(v.new.length + v.unchanged.length, read(headJson).violations.length);
        assert.equal(code, read(headJson).exitCode);
    });

    it("leads the text, Markdown and JSON with the delta", () => {
        const lines = text.split("\n");
        assert.match(lines[4], /^Against the baseline: [+-]?\$[\d,.]+\/month expected, [+-]?\$[\d,.]+\/month at max · 1 line added, 1 removed, 1 changed · violations: \d+ new, 1 fixed, \d+ unchanged$/);
        assert.ok(text.indexOf("Against the baseline") < text.indexOf("Monthly cost"));
        const md = fs.readFileSync(headMd, "utf8");
        assert.ok(md.indexOf("#### Change against the baseline") < md.indexOf("#### Monthly cost"));
        assert.match(md, /\| ml-research \| \$[\d,.]+ → \$0\.00 \(-\$301\.75\) \|/);
        assert.match(md, /<details><summary>Cost lines: 1 added, 1 removed, 1 changed \(\d+ unchanged\)<\/summary>/);
        assert.match(md, /scalingConfig\.minSize: 1 → 0/);
        assert.match(md, /<details open><summary>Policy violations: \d+ new, 1 fixed, \d+ unchanged<\/summary>/);
        const keys = Object.keys(read(headJson));
        assert.ok(keys.indexOf("diff") < keys.indexOf("violations") && keys.indexOf("diff") < keys.indexOf("cost"));
    });

    it("refuses a baseline of another stack, project or report version (exit 2), never comparing", async () => {
        const refuse = async (doc: unknown, why: RegExp) => {
            const f = tmp("refused.json"), out = tmp("out.json");
            fs.writeFileSync(f, JSON.stringify(doc));
            const r = await cli(["small", "--config-file", fixture("Pulumi.small.yaml"), "--baseline", f, "--json", out]);
            assert.equal(r.code, 2, r.err);
            assert.match(r.err, why);
            assert.equal(read(out).status, "error");
        };
        const doc = read(base);
        await refuse({ ...doc, stack: "prod" }, /baseline .* refused: it is a plan of stack "prod", not "small"/);
        await refuse({ ...doc, project: "other" }, /refused: it is a plan of project "other", not "ai-infra"/);
        const { schemaVersion: _, ...old } = doc;
        await refuse(old, /refused: it has no schemaVersion: it was written by an older plan/);
        await refuse({ ...doc, schemaVersion: 2 }, /refused: it has schemaVersion 2, this plan reads 1/);
        await refuse({ ...doc, cost: { ...doc.cost, monthly: "lots" } }, /refused: it does not match plan\/report\.schema\.json: \/cost\/monthly must be object/);
        const missing = await cli(["small", "--config-file", fixture("Pulumi.small.yaml"), "--baseline", "/nonexistent/base.json"]);
        assert.equal(missing.code, 2);
        assert.match(missing.err, /baseline \/nonexistent\/base\.json refused: the file does not exist/);
    });

    it("compares without inputs when a report left them out", async () => {
        const lean = tmp("lean.json"), out = tmp("out.json");
        assert.equal((await cli(["small", "--config-file", stackFile("small", BASE), "--json", lean, "--no-inputs"])).code, 1);
        await cli(["small", "--config-file", stackFile("small", HEAD), "--baseline", lean, "--json", out]);
        const changed = read(out).diff.lines.changed[0];
        assert.equal(changed.inputs, undefined);
        assert.deepEqual(changed.delta, { min: -301.75, expected: 0, max: 0 });
    });

    it("shows the input that moved a line's price, even when the price comes from a resource it uses", async () => {
        // diskSizeGiB sizes the launch template's volume; the node group itself carries it only as the
        // autoscaler's ephemeral-storage template tag (90 % of the volume).
        const out = tmp("disk.json");
        await cli(["small", "--config-file", stackFile("small", small.replace("diskSizeGiB: 100", "diskSizeGiB: 200")), "--baseline", smallBase, "--json", out]);
        const [changed] = read(out).diff.lines.changed;
        assert.deepEqual(changed.inputs, [{ path: "tags.k8s.io/cluster-autoscaler/node-template/resources/ephemeral-storage", before: "90Gi", after: "180Gi" }]);
        assert.deepEqual(changed.delta, { min: 8, expected: 16, max: 24 }); // 100 GiB x $0.08 per node
    });

    it("says so when a line's price moved without an input of its own resource changing", async () => {
        // A pricing assumption (the spot discount) moves the price of an unchanged resource.
        const out = tmp("spot.json");
        const cheaper = `${small}  ai-infra:pricing:\n    spotDiscount:\n      g5: 0.7\n      g6: 0.7\n`;
        const { out: text } = await cli(["small", "--config-file", stackFile("small", cheaper), "--baseline", smallBase, "--json", out]);
        const [changed] = read(out).diff.lines.changed;
        assert.deepEqual(changed.inputs, []);
        assert.ok(changed.delta.max < 0, JSON.stringify(changed.delta));
        assert.match(text, /no input of this resource changed: the price moved with a resource it uses \(e\.g\. its launch template\) or with the catalog/);
    });

    it("lists leaf input paths that differ", () => {
        assert.deepEqual(inputChanges({ a: { b: 1, c: [1, 2] }, d: "x" }, { a: { b: 2, c: [1] }, e: true }), [
            { path: "a.b", before: 1, after: 2 }, { path: "a.c[1]", before: 2 }, { path: "d", before: "x" }, { path: "e", after: true },
        ]);
    });
});
