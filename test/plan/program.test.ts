import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main, parseArgs } from "../../plan/cli";
import { reportProblems } from "../../plan/reportSchema";

const EXAMPLES = path.join(__dirname, "..", "..", "examples");

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string; json: Record<string, any> }> {
    let out = "", err = "";
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ai-infra-program-")), "plan.json");
    const code = await main([...argv, "--json", file], (s) => { out += `${s}\n`; }, (s) => { err += `${s}\n`; });
    const json = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
    // A foreign program's report is the same report: it holds to the published schema.
    if (code !== 2) assert.deepEqual(reportProblems(json), [], `report of ${argv.join(" ")}`);
    return { code, out, err, json };
}

/** The example programs under examples/ are other teams' Pulumi programs: the verdicts the pack must reach on them. */
describe("judging other Pulumi programs (--program)", () => {
    it("examples/default-tags: a team tagged only through aws:defaultTags, in eu-west-1, passes and is priced for its team in its region", async () => {
        const { code, out, json } = await cli(["--program", path.join(EXAMPLES, "default-tags")]);
        assert.equal(code, 0, out);
        assert.deepEqual(json.violations, []);
        assert.equal(json.cost.region, "eu-west-1");
        // g5.xlarge spot at eu-west-1 prices: ($1.006 x 0.4 x 730 + 20 GiB x $0.08) x 1.116 x 2 nodes.
        const { min, expected, max, budget } = json.cost.byTeam.vision;
        assert.deepEqual({ min, expected, max, budget }, { min: 0, expected: 0, max: 659.23, budget: 700 });
        assert.equal(json.cost.byTeam["(untagged)"], undefined);
        assert.equal(json.cost.byTeam.unattributed, undefined);
    });

    it("names the provider-tagged team on a violation, as the estimator and the policies see it", async () => {
        const dev = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "policies", "config", "dev.json"), "utf8"));
        dev["gpu-quota"].maxGpusPerTeam = { vision: 1 };
        const policy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ai-infra-policy-")), "dev.json");
        fs.writeFileSync(policy, JSON.stringify(dev));
        const { code, json } = await cli(["--program", path.join(EXAMPLES, "default-tags"), "--policy-config", policy]);
        assert.equal(code, 1);
        const quota = json.violations.filter((v: { policy: string }) => v.policy === "gpu-quota");
        assert.deepEqual(quota.map((v: { team: string }) => v.team), ["vision"]);
        assert.match(quota[0].message, /^team vision: 2 GPUs at max scale .* quota is gpu-quota\.maxGpusPerTeam\["vision"\]/);
    });

    it("examples/ec2-gpu: plain EC2 GPU instances count toward quota, allowlist, budget and cost", async () => {
        const { code, json } = await cli(["--program", path.join(EXAMPLES, "ec2-gpu"), "--stack", "dev"]);
        assert.equal(code, 1);
        const got = json.violations.map((v: { policy: string; message: string }) => `${v.policy}: ${v.message}`);
        assert.ok(got.some((m: string) => /^gpu-instance-allowlist: aws:ec2\/instance:Instance "trainer" GPU instance type p4d\.24xlarge is not allowed here/.test(m)), got.join("\n"));
        assert.ok(got.some((m: string) => /^gpu-quota: team research: 9 GPUs at max scale \(EC2 instance trainer \(p4d\.24xlarge\): 1 x 8 GPU, EC2 instance notebook \(g5\.xlarge\): 1 x 1 GPU\) exceeds its quota of 2 GPUs; the quota is gpu-quota\.defaultMaxGpusPerTeam/.test(m)));
        assert.ok(got.some((m: string) => /^team-budget: team research owns GPU capacity \(trainer, notebook\) but has no budget/.test(m)));
        assert.ok(got.some((m: string) => /^chargeback-teams: team "research"/.test(m)));
        assert.equal(got.filter((m: string) => m.startsWith("chargeback-tags") || m.startsWith("imdsv2")).length, 0);
        assert.equal(json.cost.byTeam.research.max, 16797.18);
    });

    it("examples/general-node-groups: general-purpose node groups, templates, ASGs and a foreign Pod draw no verdict", async () => {
        const { code, out, json } = await cli(["--program", path.join(EXAMPLES, "general-node-groups")]);
        assert.equal(code, 0, out);
        assert.deepEqual(json.violations, []);
        assert.ok(json.resources.some((r: { type: string }) => r.type === "kubernetes:core/v1:Pod"));
        assert.ok(json.cost.warnings.some((w: string) => /m6i\.large is not in the catalog/.test(w)), "an unpriced type is said out loud");
    });

    it("answers invokes it has no mock for with placeholders, and says so", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-infra-foreign-"));
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: lookups\nruntime: nodejs\n");
        fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config:\n  aws:region: us-west-2\n");
        fs.writeFileSync(path.join(dir, "index.ts"), [
            'import * as aws from "@pulumi/aws";',
            'const key = aws.kms.getKeyOutput({ keyId: "alias/data" });',
            'export const bucket = new aws.s3.Bucket("data", { tags: { team: "platform", "cost-center": "CC", environment: "dev", owner: "o@x.io", "managed-by": "pulumi", key: key.arn } }).id;',
        ].join("\n"));
        const { code, out, json } = await cli(["--program", dir]);
        assert.equal(code, 0, out);
        assert.ok(json.cost.warnings.includes("offline judge: invoke aws:kms/getKey:getKey has no mock; answered with generic placeholder values"), json.cost.warnings.join("\n"));
        assert.equal(json.cost.region, "us-west-2");
    });

    it("refuses what it cannot judge, with exit 2", async () => {
        assert.match((await cli(["--program", os.tmpdir()])).err, /no Pulumi\.yaml there/);
        assert.equal((await cli(["--program", path.join(EXAMPLES, "ec2-gpu"), "--stack", "qa"])).code, 2);
        assert.throws(() => parseArgs(["--program", "x", "--config-file", "y"]), /--config-file does not apply to --program/);
        assert.deepEqual(parseArgs(["--program", "x", "--stack", "dev"]), { program: "x", stack: "dev" });
    });
});
