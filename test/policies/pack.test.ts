import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PACK_NAME, policies } from "../../policies/pack";

const ROOT = path.join(__dirname, "..", "..");

describe("policy pack ai-infra-guard", () => {
    it("keeps the contract's policy names", () => {
        assert.equal(PACK_NAME, "ai-infra-guard");
        assert.deepEqual(policies.map((p) => p.name), [
            "chargeback-tags", "chargeback-teams", "gpu-quota", "gpu-instance-allowlist", "spot-outside-prod", "scale-to-zero-outside-prod", "spot-diversification",
            "cache-right-size", "cache-encryption", "imdsv2-required", "team-budget", "cost-within-budget", "model-spend-within-budget", "gateway-quota", "right-size-from-usage",
            "eks-version-support", "model-end-of-life", "model-retirement-notice",
        ]);
    });

    it("has a config file per environment naming every policy", () => {
        for (const env of ["dev", "staging", "prod"]) {
            const cfg = JSON.parse(fs.readFileSync(path.join(ROOT, "policies", "config", `${env}.json`), "utf8")) as Record<string, { enforcementLevel: string }>;
            assert.deepEqual(Object.keys(cfg).sort(), policies.map((p) => p.name).sort(), env);
            const level = (p: string) => cfg[p].enforcementLevel;
            if (env === "prod") assert.deepEqual([level("spot-outside-prod"), level("scale-to-zero-outside-prod")], ["disabled", "disabled"]);
            // A minor nearing its end must not block dev and staging pipelines; prod refuses it.
            if (env === "prod") assert.equal(level("eks-version-support"), "mandatory");
            else for (const p of policies.map((x) => x.name).filter((n) => !["right-size-from-usage", "eks-version-support", "model-spend-within-budget", "model-retirement-notice"].includes(n))) assert.equal(level(p), "mandatory", `${env} ${p}`);
            // A token rate limit is a burst allowance, not a monthly cap: its month at the quota is flagged, not blocked.
            assert.equal(level("model-spend-within-budget"), "advisory", env);
            // A route to a retired model fails every request: refused everywhere. A notice is a heads-up.
            assert.deepEqual([level("model-end-of-life"), level("model-retirement-notice")], ["mandatory", "advisory"], env);
        }
    });

    it("starts as the Pulumi CLI runs it (the analyzer prints its port)", async function () {
        this.timeout(30000);
        const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "policies", "index.ts")], { cwd: ROOT });
        let stderr = "";
        child.stderr.on("data", (d) => { stderr += String(d); });
        const port = await new Promise<string>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no port within 25 s; stderr: ${stderr}`)), 25000);
            child.stdout.on("data", (d) => { clearTimeout(timer); resolve(String(d).trim()); });
            child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`exited ${code}: ${stderr}`)); });
        }).finally(() => child.kill());
        assert.match(port, /^\d+$/);
    });
});
