import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main as auditMain } from "../../audit/cli";
import { main as budgetMain } from "../../ops/budget";
import { main } from "../../plan/cli";

const ROOT = path.resolve(__dirname, "..", "..");

async function plan(argv: string[], cwd = ROOT): Promise<{ code: number; out: string; err: string }> {
    let out = "", err = "";
    const code = await main(argv, (s) => { out += `${s}\n`; }, (s) => { err += `${s}\n`; }, cwd);
    return { code, out, err };
}

describe("messages a newcomer understands: the command line", () => {
    it("plan --help lists every option and every exit code, 3 included, and exits 0", async () => {
        for (const flag of ["--help", "-h"]) {
            const { code, out, err } = await plan(["dev", flag]);
            assert.equal(code, 0);
            assert.equal(err, "");
            for (const option of ["--config-file", "--policy-config", "--json", "--markdown", "--baseline", "--no-inputs", "--program"]) assert.ok(out.includes(option), option);
            for (const exit of ["0  no mandatory", "1  one or more", "2  bad stack config", "3  unexpected failure"]) assert.ok(out.includes(exit), exit);
        }
    });

    it("audit, budget and bench --help list their exit codes", async () => {
        let out = "";
        assert.equal(await auditMain(["--help"], { log: (s) => { out += s; }, error: () => undefined }), 0);
        for (const exit of ["0  audit complete", "2  usage", "3  another AWS failure", "4  partial", "5  a clean-up"]) assert.ok(out.includes(exit), exit);
        let budget = "";
        assert.equal(await budgetMain(["--help"], ROOT, undefined, (s) => { budget += s; }, () => undefined), 0);
        for (const exit of ["0  done", "1  an action failed", "2  usage"]) assert.ok(budget.includes(exit), exit);
        const bench = execFileSync(process.execPath, [path.join(ROOT, "tools", "run.js"), "plan/bench.ts", "--help"], { cwd: ROOT, encoding: "utf8" });
        for (const exit of ["0  every ratio and memory target met", "1  a ratio or memory target missed", "2  usage"]) assert.ok(bench.includes(exit), exit);
    });

    it("refuses an unwritable report path before planning, naming the flag and the missing folder", async () => {
        const started = Date.now();
        const { code, out, err } = await plan(["dev", "--json", "/nonexistent/dir/plan.json"]);
        assert.equal(code, 2);
        assert.equal(out, "", "nothing was planned");
        assert.match(err, /^error: --json \/nonexistent\/dir\/plan\.json: cannot write \/nonexistent\/dir\/plan\.json: folder \/nonexistent\/dir does not exist/);
        assert.ok(Date.now() - started < 2000, "refused before the program ran");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-msg-"));
        const asFolder = await plan(["dev", "--markdown", dir]);
        assert.equal(asFolder.code, 2);
        assert.match(asFolder.err, /--markdown .*is a folder; name a file/);
        let auditErr = "";
        assert.equal(await auditMain(["--stack", "dev", "--markdown", "/nonexistent/a.md"], { error: (s) => { auditErr += s; }, log: () => undefined }), 2);
        assert.match(auditErr, /--markdown \/nonexistent\/a\.md: cannot write/);
    });

    it("resolves relative paths against the folder the command ran in, and says where it looked", async () => {
        const stacks = path.join(ROOT, "stacks");
        const ok = await plan(["staging", "--config-file", "Pulumi.staging.yaml"], stacks);
        assert.equal(ok.code, 0, ok.err);
        const missing = await plan(["staging", "--config-file", "Pulumi.stagin.yaml"], stacks);
        assert.equal(missing.code, 2);
        assert.equal(missing.err.trim(), `error: --config-file Pulumi.stagin.yaml: no such file: looked for ${path.join(stacks, "Pulumi.stagin.yaml")} (relative to ${stacks}, the folder the command ran in)`);
        const policy = await plan(["dev", "--policy-config", "nope.json"], stacks);
        assert.match(policy.err, new RegExp(`--policy-config nope\\.json: no such file: looked for ${path.join(stacks, "nope.json").replace(/[.]/g, "\\.")}`));
    });

    it("a stack without a file lists the stacks there and where it looked", async () => {
        const { code, err } = await plan(["qa"]);
        assert.equal(code, 2);
        assert.match(err, new RegExp(`no stack qa: looked for ${path.join(ROOT, "stacks", "Pulumi.qa.yaml").replace(/[.]/g, "\\.")}; stacks here: dev, prod, staging`));
    });
});
