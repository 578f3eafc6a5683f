import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as yaml from "js-yaml";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");
interface Step { id?: string; name?: string; uses?: string; if?: string; run?: string; with?: Record<string, unknown>; "continue-on-error"?: boolean }
interface Job { needs?: string | string[]; if?: string; strategy?: { matrix: Record<string, unknown> }; steps: Step[] }
const workflow = yaml.load(fs.readFileSync(path.join(ROOT, ".github", "workflows", "pull-request.yml"), "utf8")) as { jobs: Record<string, Job> };
const { stacks, plan, preview } = workflow.jobs;
const step = (job: Job, pred: (s: Step) => boolean) => job.steps.filter(pred);

describe("pull-request workflow", () => {
    it("discovers the stacks from stacks/ for both matrices, so a new stack needs no edit", () => {
        const list = step(stacks, (s) => s.id === "list")[0].run!;
        const command = list.split("\n")[0].replace(/^stacks=\$\((.*)\)$/, "$1");
        const found = JSON.parse(execFileSync("bash", ["-c", command], { cwd: ROOT, encoding: "utf8" }));
        const files = fs.readdirSync(path.join(ROOT, "stacks")).filter((f) => /^Pulumi\..+\.yaml$/.test(f)).map((f) => f.slice(7, -5));
        assert.deepEqual(found.sort(), files.sort());
        for (const job of [plan, preview]) assert.equal(job.strategy!.matrix.stack, "${{ fromJSON(needs.stacks.outputs.stacks) }}");
        assert.doesNotMatch(fs.readFileSync(path.join(ROOT, ".github", "workflows", "pull-request.yml"), "utf8"), /\[dev, staging, prod\]/);
    });

    it("plans the base branch and diffs the head against it", () => {
        assert.ok(step(plan, (s) => s.uses === "actions/checkout@v4" && s.with?.ref === "${{ github.event.pull_request.base.sha }}").length === 1);
        assert.match(step(plan, (s) => /baseline/.test(s.name ?? "") && !s.id)[0].run!, /npm run --silent plan -- "\$STACK" --json "\$RUNNER_TEMP\/base\.json"/);
        assert.match(step(plan, (s) => s.id === "plan")[0].run!, /--baseline "\$RUNNER_TEMP\/base\.json"/);
    });

    it("always reports: job summary, and a sticky comment per stack that never fails the job (fork PRs)", () => {
        assert.match(step(plan, (s) => s.name === "Job summary")[0].if!, /^always\(\)/);
        const comment = step(plan, (s) => s.uses === "marocchino/sticky-pull-request-comment@v2")[0];
        assert.equal(comment.with!.header, "ai-infra-plan-${{ matrix.stack }}");
        assert.equal(comment["continue-on-error"], true);
        assert.match(comment.if!, /github\.event\.pull_request\.head\.repo\.full_name == github\.repository/);
    });

    it("comments the preview before failing it, with the policy config of the stack's environment", () => {
        assert.equal(preview.needs, "stacks", "a failing plan must not skip the preview");
        const install = step(preview, (s) => s.uses === "pulumi/actions@v6")[0];
        assert.equal(install.with, undefined, "no command: the action only installs the CLI");
        const run = step(preview, (s) => s.id === "preview")[0].run!;
        assert.match(run, /set \+e/);
        assert.match(run, /--policy-pack-config "policies\/config\/\$\{\{ steps\.stack\.outputs\.environment \}\}\.json"/);
        const envStep = step(preview, (s) => s.id === "stack")[0].run!;
        for (const stack of ["dev", "staging", "prod"]) {
            const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gho-")), "out");
            fs.writeFileSync(out, "");
            execFileSync("bash", ["-e", "-c", envStep], { cwd: ROOT, env: { ...process.env, STACK: stack, GITHUB_OUTPUT: out } });
            assert.match(fs.readFileSync(out, "utf8"), new RegExp(`^environment=${stack}\nregion=us-east-1\n`));
        }
        const names = preview.steps.map((s) => s.uses ?? s.name);
        assert.ok(names.indexOf("marocchino/sticky-pull-request-comment@v2") < names.indexOf("Fail when the preview failed"));
        assert.match(step(preview, (s) => s.uses === "marocchino/sticky-pull-request-comment@v2")[0].if!, /^always\(\)/);
    });
});
