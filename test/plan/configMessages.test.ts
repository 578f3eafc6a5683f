import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../plan/cli";

const ROOT = path.resolve(__dirname, "..", "..");
const DEV = fs.readFileSync(path.join(ROOT, "stacks", "Pulumi.dev.yaml"), "utf8");

/** The dev stack file with one edit, planned; returns the exit code and the error lines. */
async function planEdited(edit: (text: string) => string, extra: string[] = []): Promise<{ code: number; lines: string[] }> {
    const text = edit(DEV);
    assert.notEqual(text, DEV, "the edit applies to stacks/Pulumi.dev.yaml");
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ai-msgs-")), "Pulumi.edited.yaml");
    fs.writeFileSync(file, text);
    let err = "";
    const code = await main(["edited", "--config-file", file, ...extra], () => undefined, (s) => { err += `${s}\n`; }, ROOT);
    return { code, lines: err.split("\n").filter((l) => l.trim().startsWith("- ") || l.startsWith("error:")) };
}

describe("messages a newcomer understands: stack and policy config", function () {
    this.timeout(60_000);

    it("an unknown key gets a did-you-mean and shows the key, not its whole value", async () => {
        const { code, lines } = await planEdited((t) => t.replace("ai-infra:nodeGroups:", "ai-infra:nodeGroup:"));
        assert.equal(code, 2);
        const line = lines.find((l) => l.includes("ai-infra:nodeGroup:"))!;
        assert.match(line, /- ai-infra:nodeGroup: unknown key: did you mean ai-infra:nodeGroups\? allowed keys are /);
        assert.doesNotMatch(line, /research-spot|\{/, "the value (a whole map of node groups) is not dumped");
        const nested = await planEdited((t) => t.replace(/(\n\s+)maxSize: 2/, "$1maxsize: 2"));
        assert.ok(nested.lines.some((l) => /- ai-infra:nodeGroups\.[a-z-]+\.maxsize: unknown key: did you mean maxSize\?/.test(l)), nested.lines.join("\n"));
    });

    it("a misspelt top-level key of the stack file is named with a did-you-mean, not as six missing keys", async () => {
        const { code, lines } = await planEdited((t) => t.replace(/^config:/m, "confg:"));
        assert.equal(code, 2);
        assert.equal(lines.length, 1, lines.join("\n"));
        assert.match(lines[0], /^error: .*Pulumi\.edited\.yaml: unknown top-level key "confg": did you mean config\? \(a stack file has config, environment, secretsprovider, encryptedkey, encryptionsalt; settings go under config:\)$/);
    });

    it("one bad field of a team is reported once, not again by each node group naming that team", async () => {
        const { code, lines } = await planEdited((t) => t.replace(/(ml-research:\n(?:.*\n)*?\s+monthlyBudgetUsd: )(\d+)/, '$1"$2"'));
        assert.equal(code, 2);
        assert.ok(lines.some((l) => /ai-infra:teams\.ml-research\.monthlyBudgetUsd: "\d+" is not allowed: must be a number of USD > 0/.test(l)), lines.join("\n"));
        assert.deepEqual(lines.filter((l) => l.includes("must name a team")), []);
        assert.equal(lines.filter((l) => l.startsWith("  - ") || l.trim().startsWith("- ")).length, 1, lines.join("\n"));
        // A team that is really missing is still named.
        const missing = await planEdited((t) => t.replace(/team: ml-research/, "team: ml-reserch"));
        assert.ok(missing.lines.some((l) => /team: "ml-reserch" is not allowed: must name a team of ai-infra:teams/.test(l)), missing.lines.join("\n"));
    });

    it("non-finite numbers are named as infinity or not-a-number, not null", async () => {
        const inf = await planEdited((t) => t.replace(/ai-infra:monthlyBudgetUsd: \d+/, "ai-infra:monthlyBudgetUsd: 1e400"));
        assert.equal(inf.code, 2);
        assert.deepEqual(inf.lines.filter((l) => l.trim().startsWith("- ")).map((l) => l.trim()),
            ["- ai-infra:monthlyBudgetUsd: infinity is not allowed: YAML reads a number this large (1e400, .inf) as infinity: write a finite number"]);
        const nan = await planEdited((t) => t.replace(/(ml-research:\n(?:.*\n)*?\s+monthlyBudgetUsd: )(\d+)/, "$1.nan"));
        assert.equal(nan.code, 2);
        assert.ok(nan.lines.some((l) => l.includes("- ai-infra:teams.ml-research.monthlyBudgetUsd: not a number is not allowed: YAML reads .nan as not-a-number")), nan.lines.join("\n"));
        assert.ok(!nan.lines.some((l) => l.includes("null")));
    });

    it("a secure: value in a key that cannot be secret says so, instead of showing the plan's placeholder", async () => {
        const { code, lines } = await planEdited((t) => t.replace(/ai-infra:owner: \S+/, "ai-infra:owner:\n    secure: AAABAKxyz0123456789"));
        assert.equal(code, 2);
        assert.deepEqual(lines.filter((l) => l.includes("ai-infra:owner")).map((l) => l.trim()),
            ["- ai-infra:owner: is a secure: (encrypted) value, but this key cannot be secret: the program would store and tag it in plain text. Write it in plain text; only ai-infra:alerts.webhookUrl may be secret"]);
        assert.ok(!lines.some((l) => l.includes("plan-placeholder")), lines.join("\n"));
    });

    it("a policy config of another environment is one config mismatch, not a violation per resource", async () => {
        let err = "", out = "";
        const code = await main(["dev", "--policy-config", path.join(ROOT, "policies", "config", "prod.json")], (s) => { out += s; }, (s) => { err += `${s}\n`; }, ROOT);
        assert.equal(code, 2);
        assert.equal(out, "");
        assert.equal(err.split("\n").filter((l) => l.trim().startsWith("- ")).length, 1, err);
        assert.match(err, /prod\.json: this policy config is for environment prod \(chargeback-tags, .*\), but stack dev is environment dev: use policies\/config\/dev\.json/);
    });
});
