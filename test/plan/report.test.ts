import { bundledModelNoticeDue } from "../helpers";
import { strict as assert } from "assert";
import * as fs from "fs";
import { runPlan } from "../../plan/plan";
import { toMarkdown, toText } from "../../plan/report";
import { toReport } from "../../plan/reportJson";
import { reportProblems } from "../../plan/reportSchema";
import { GITHUB_COMMENT_LIMIT } from "../../plan/markdownBudget";
import { cli, fixture, tmp } from "./runCli";

const read = (f: string) => JSON.parse(fs.readFileSync(f, "utf8"));

/** A copy of a fixture stack file with some text replaced. */
function variant(file: string, from: RegExp, to: string): string {
    const out = tmp(`Pulumi.${file}`);
    const text = fs.readFileSync(fixture(file), "utf8");
    assert.match(text, from);
    fs.writeFileSync(out, text.replace(from, to));
    return out;
}

describe("plan JSON report", () => {
    it("gives a pipeline status, exit code, counts by level and policy, and the team of each violation", async () => {
        const json = tmp("plan.json");
        const { code } = await cli(["violations", "--config-file", fixture("Pulumi.violations.yaml"), "--json", json]);
        assert.equal(code, 1);
        const doc = read(json);
        assert.equal(doc.schemaVersion, 1);
        assert.equal(doc.project, "ai-infra");
        assert.deepEqual([doc.status, doc.exitCode], ["fail", 1]);
        assert.equal(doc.violationCounts.total, doc.violations.length);
        assert.equal(doc.violationCounts.byLevel.mandatory, doc.violations.filter((v: { enforcementLevel: string }) => v.enforcementLevel === "mandatory").length);
        const byPolicy: Record<string, number> = {};
        for (const v of doc.violations) byPolicy[v.policy] = (byPolicy[v.policy] ?? 0) + 1;
        assert.deepEqual(doc.violationCounts.byPolicy, byPolicy);
        const find = (policy: string, text: RegExp) => doc.violations.find((v: { policy: string; message: string }) => v.policy === policy && text.test(v.message));
        assert.equal(find("spot-outside-prod", /big-ondemand/).team, "ml-research");
        assert.equal(find("spot-diversification", /lonely-spot/).team, "vision");
        assert.equal(find("cost-within-budget", /team ml-research/).team, "ml-research");
        // The environment-wide GPU cap belongs to no team.
        const cap = find("gpu-quota", /^environment/);
        if (cap) assert.equal(cap.team, undefined);
    });

    it("passes with status pass and exit code 0, and leaves inputs out with --no-inputs", async () => {
        const full = tmp("full.json"), lean = tmp("lean.json");
        assert.equal((await cli(["dev", "--json", full])).code, 0);
        assert.equal((await cli(["dev", "--json", lean, "--no-inputs"])).code, 0);
        const [a, b] = [read(full), read(lean)];
        // The bundled dev stack's only findings are advisory: token quotas whose month exceeds the model budget.
        assert.deepEqual([b.status, b.exitCode, Object.keys(b.violationCounts.byLevel), Object.keys(b.violationCounts.byPolicy)], ["pass", 0, ["advisory"], ["model-spend-within-budget", ...(bundledModelNoticeDue() ? ["model-retirement-notice"] : [])]]);
        assert.ok(a.resources.every((r: object) => "inputs" in r));
        assert.ok(b.resources.every((r: object) => !("inputs" in r)));
        assert.deepEqual(b.resources.map((r: { urn: string }) => r.urn), a.resources.map((r: { urn: string }) => r.urn));
        assert.deepEqual(b.cost, a.cost);
        assert.ok(fs.statSync(lean).size < fs.statSync(full).size / 2, "inputs are most of the report");
    });

    it("writes an error report (status error, exit code 2) when the plan cannot run", async () => {
        const json = tmp("plan.json");
        fs.writeFileSync(json, "stale");
        const { code } = await cli(["broken", "--config-file", fixture("Pulumi.broken.yaml"), "--json", json]);
        assert.equal(code, 2);
        const doc = read(json);
        assert.deepEqual([doc.status, doc.exitCode, doc.stack], ["error", 2, "broken"]);
        assert.ok(doc.errors.some((e: string) => /ai-infra:environment: "qa" is not allowed/.test(e)));
    });

    it("exits 2 naming the flag when a report cannot be written", async () => {
        const { code, err } = await cli(["small", "--config-file", fixture("Pulumi.small.yaml"), "--json", "/nonexistent/dir/plan.json"]);
        assert.equal(code, 2);
        assert.match(err, /^error: --json \/nonexistent\/dir\/plan\.json: cannot write \/nonexistent\/dir\/plan\.json: folder \/nonexistent\/dir does not exist/);
    });

    it("has a schema that refuses what a pipeline could trip on", async () => {
        const good = toReport(await runPlan({ stack: "small", configFile: fixture("Pulumi.small.yaml") }), { inputs: false });
        assert.deepEqual(reportProblems(good), []);
        const broken = (f: (d: Record<string, any>) => void) => { const d = JSON.parse(JSON.stringify(good)); f(d); return reportProblems(d); };
        assert.notDeepEqual(broken((d) => delete d.status), []);
        assert.notDeepEqual(broken((d) => { d.status = "ok"; }), []);
        assert.notDeepEqual(broken((d) => { d.exitCode = 2; }), []);
        assert.notDeepEqual(broken((d) => { d.cost.savings.expected = "72 %"; }), []);
        assert.notDeepEqual(broken((d) => delete d.cost.byTeam["ml-research"].naiveBaseline), []);
        assert.notDeepEqual(broken((d) => { d.violations.push({ policy: "x", enforcementLevel: "fatal", message: "m" }); }), []);
        assert.notDeepEqual(broken((d) => { d.schemaVersion = 2; }), []);
    });
});

describe("unpriced is loud", () => {
    it("says not priced, with the reason, in the status line, the Markdown header and the JSON", async () => {
        // eu-central-1 is a real region the catalog has no prices for.
        const config = variant("Pulumi.small.yaml", /aws:region: us-east-1/, "aws:region: eu-central-1");
        const result = await runPlan({ stack: "small", configFile: config });
        const text = toText(result);
        // Two: the fixture's always-on group, and cost-within-budget, which prices in the stack's own region too
        // (the resources' provider region) and so cannot judge the budget there.
        assert.match(text.split("\n")[2], /^FAIL: 2 mandatory policy violations · NOT PRICED: \d+ cost lines \(no prices for region eu-central-1\); totals leave them out$/);
        const md = toMarkdown(result);
        assert.match(md.split("\n")[1], /^### ❌ ai-infra plan: `small` \(dev, eu-central-1\) · not priced: no prices for region eu-central-1$/);
        assert.match(md, /> ⚠️ \*\*not priced: \d+ cost lines \(no prices for region eu-central-1\)/);
        const doc = toReport(result);
        assert.ok(doc.cost.unpriced.length > 0);
        assert.ok(doc.cost.unpriced.every((u) => u.reason === "no prices for region eu-central-1"));
        assert.deepEqual(doc.cost.savings, { min: null, expected: null, max: null });
        assert.deepEqual(reportProblems(doc), []);
    });

    it("marks a passing but unpriced plan ⚠️, never ✅, and a priced one ✅", async () => {
        const unpriced = await runPlan({ stack: "small", configFile: variant("Pulumi.small.yaml", /aws:region: us-east-1/, "aws:region: eu-central-1"), policyConfigFile: fixture("policy-advisory.json") });
        assert.match(toMarkdown(unpriced).split("\n")[1], /^### ⚠️ ai-infra plan: `small` \(dev, eu-central-1\) · not priced: no prices for region eu-central-1$/);
        const priced = await runPlan({ stack: "small", configFile: fixture("Pulumi.small.yaml"), policyConfigFile: fixture("policy-advisory.json") });
        assert.doesNotMatch(toText(priced), /NOT PRICED/);
        assert.match(toMarkdown(priced).split("\n")[1], /^### ✅ ai-infra plan: `small` \(dev, us-east-1\)$/);
        // The headline result next to the verdict (hand-computed in savings.test.ts: 72.9 % and 59.4 % for the team).
        assert.match(toMarkdown(priced).split("\n")[3], / · \d+\.\d % below the naive baseline expected, \d+\.\d % at max$/);
        assert.doesNotMatch(toMarkdown(unpriced), /below the naive baseline/);
    });
});

describe("a budget the plan cannot price", () => {
    for (const level of ["advisory", "mandatory"] as const) {
        it(`is a ${level} cost-within-budget violation when the policy config says ${level}`, async () => {
            // The review's case: a region the catalog cannot price used to drop the budget verdict silently.
            // The region is the stack's (its resources' provider), no longer a policy-config key.
            const dev = JSON.parse(fs.readFileSync(`${__dirname}/../../policies/config/dev.json`, "utf8"));
            dev["cost-within-budget"] = { ...dev["cost-within-budget"], enforcementLevel: level };
            const policy = tmp("dev.json"), json = tmp("plan.json"), stack = tmp("Pulumi.dev-central.yaml");
            fs.writeFileSync(policy, JSON.stringify(dev));
            fs.writeFileSync(stack, fs.readFileSync(`${__dirname}/../../stacks/Pulumi.dev.yaml`, "utf8").replace(/aws:region: us-east-1/, "aws:region: eu-central-1"));
            const { code } = await cli(["dev", "--config-file", stack, "--policy-config", policy, "--json", json]);
            const doc = read(json);
            const found = doc.violations.filter((v: { policy: string }) => v.policy === "cost-within-budget");
            assert.deepEqual(found.map((v: { team: string }) => v.team).sort(), ["ml-research", "search"]);
            for (const v of found) {
                assert.equal(v.enforcementLevel, level);
                assert.match(v.message, /cannot judge its budget of .* not priced \(no prices for region eu-central-1\)/);
            }
            assert.equal(code, level === "mandatory" ? 1 : 0);
        });
    }
});

describe("Markdown within GitHub's comment limit", () => {
    it("cuts long lists with a count of what was left out", async () => {
        const result = await runPlan({ stack: "small", configFile: fixture("Pulumi.small.yaml") });
        const line = result.cost.lines[0];
        result.cost.lines = Array.from({ length: 3000 }, (_, i) => ({ ...line, urn: `${line.urn}-${i}`, description: `${line.description} #${i}` }));
        result.violations = Array.from({ length: 3000 }, (_, i) => ({ policy: "gpu-quota", enforcementLevel: "mandatory" as const, urn: `urn:x${i}`, message: `violation number ${i} `.repeat(8) }));
        const md = toMarkdown(result);
        assert.ok(md.length < GITHUB_COMMENT_LIMIT, `${md.length} characters`);
        assert.match(md, /\| … \| \d+ more cost lines \(see the JSON report\)/);
        assert.match(md, /\d+ more violations \(see the JSON report\)/);
        const shownLines = md.split("\n").filter((l) => / #\d+ \|/.test(l)).length;
        const cut = Number(/(\d+) more cost lines/.exec(md)![1]);
        assert.equal(shownLines + cut, 3000);
        assert.match(md, /<\/details>/);
    });
});
