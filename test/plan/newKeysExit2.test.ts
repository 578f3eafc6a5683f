import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../plan/cli";

const DEV = path.join(__dirname, "..", "..", "stacks", "Pulumi.dev.yaml");

/** The dev stack file with one `ai-infra:cluster` or node-group line changed. */
function stackWith(edit: (yaml: string) => string): string {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ai-infra-i12-")), "Pulumi.bad.yaml");
    const original = fs.readFileSync(DEV, "utf8");
    const edited = edit(original);
    assert.notEqual(edited, original, "the edit applies");
    fs.writeFileSync(file, edited);
    return file;
}

async function plan(file: string, extra: string[] = []): Promise<{ code: number; err: string }> {
    let err = "";
    const code = await main(["bad", "--config-file", file, ...extra], () => undefined, (s) => { err += `${s}\n`; });
    return { code, err };
}

const cluster = (extra: string) => (y: string) => y.replace("    name: ai-dev\n", `    name: ai-dev\n${extra}`);
const schedule = (from: string, to: string) => (y: string) => y.replace(from, to);

describe("bad input for every key issue 12 added exits 2 naming the key", () => {
    const cases: [string, (y: string) => string, RegExp][] = [
        ["cluster.version unknown", cluster('    version: "1.36"\n'), /ai-infra:cluster\.version: "1\.36" is not allowed: is not in the EKS version table/],
        ["cluster.apiAccessSecurityGroupIds", cluster("    apiAccessSecurityGroupIds: [vpc-123]\n"), /ai-infra:cluster\.apiAccessSecurityGroupIds\[0\]: "vpc-123" is not allowed/],
        ["cluster.devicePlugin", cluster("    devicePlugin: maybe\n"), /ai-infra:cluster\.devicePlugin: "maybe" is not allowed: must be one of install, present/],
        ["cluster.clusterAutoscaler", cluster("    clusterAutoscaler: present\n"), /ai-infra:cluster\.clusterAutoscaler: "present" is not allowed/],
        ["cluster.subnetIds with create: false", (y) => y.replace("    create: true\n", "    create: false\n    devicePlugin: present\n    clusterAutoscaler: present\n"), /ai-infra:cluster\.subnetIds: missing/],
        ["schedules[].desiredSize above minSize",
            schedule("{ name: workday, cron: \"0 7 * * 1-5\", timezone: Europe/Berlin, minSize: 0, maxSize: 2, desiredSize: 0 }", "{ name: workday, cron: \"0 7 * * 1-5\", timezone: Europe/Berlin, minSize: 0, maxSize: 2, desiredSize: 1 }"),
            /ai-infra:nodeGroups\.research-spot\.schedules\[1\]\.desiredSize: 1 is not allowed: must equal the schedule's minSize/],
        ["predictiveScaling.metric gpu", (y) => y.replace("      schedules:\n        - { name: night", "      predictiveScaling: { metric: gpu }\n      schedules:\n        - { name: night"),
            /ai-infra:nodeGroups\.research-spot\.predictiveScaling\.metric: "gpu" is not allowed/],
    ];
    for (const [what, edit, message] of cases) {
        it(what, async () => {
            const { code, err } = await plan(stackWith(edit));
            assert.equal(code, 2, err);
            assert.match(err, message);
        });
    }

    it("cluster.publicAccessCidrs documentation range in prod", async () => {
        const file = stackWith((y) => y.replace("ai-infra:environment: dev", "ai-infra:environment: prod").replace("    name: ai-dev\n", "    name: ai-dev\n    publicAccessCidrs: [203.0.113.0/24]\n"));
        const { code, err } = await plan(file, ["--policy-config", path.join(__dirname, "..", "..", "policies", "config", "prod.json")]);
        assert.equal(code, 2, err);
        assert.match(err, /ai-infra:cluster\.publicAccessCidrs\[0\]: "203\.0\.113\.0\/24" is not allowed: lies in 203\.0\.113\.0\/24 documentation/);
    });

    it("eks-version-support.warningDays in the policy config", async () => {
        const cfg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "policies", "config", "dev.json"), "utf8"));
        cfg["eks-version-support"] = { enforcementLevel: "advisory", warningDays: "soon" };
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ai-infra-i12-")), "policy.json");
        fs.writeFileSync(file, JSON.stringify(cfg));
        let err = "";
        const code = await main(["dev", "--policy-config", file], () => undefined, (s) => { err += `${s}\n`; });
        assert.equal(code, 2, err);
        assert.match(err, /"eks-version-support": warningDays must be integer/);
    });
});
