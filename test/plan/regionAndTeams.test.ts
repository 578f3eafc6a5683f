import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runPlan } from "../../plan/plan";

const DEV = path.join(__dirname, "..", "..", "stacks", "Pulumi.dev.yaml");

/** A copy of the dev stack with some lines replaced (each replacement must apply). */
function devVariant(replacements: [RegExp, string][]): string {
    let text = fs.readFileSync(DEV, "utf8");
    for (const [from, to] of replacements) {
        assert.match(text, from);
        text = text.replace(from, to);
    }
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ai-infra-variant-")), "Pulumi.dev-eu.yaml");
    fs.writeFileSync(file, text);
    return file;
}

describe("the plan judges a stack where it runs", () => {
    it("an eu-west-1 copy of dev is judged at eu-west-1 prices (regression: us-east-1 prices from policy config let an over-budget team pass)", async () => {
        // search costs $619.90 at max scale in us-east-1 and 1.116x that in eu-west-1: over a $650 budget only there.
        const budget: [RegExp, string] = [/(\n    search:\n(?:      .*\n)*?      monthlyBudgetUsd: )\d+/, "$1650"];
        const us = await runPlan({ stack: "dev", configFile: devVariant([budget]) });
        assert.deepEqual(us.violations.filter((v) => v.policy === "cost-within-budget"), []);
        const eu = await runPlan({ stack: "dev-eu", configFile: devVariant([budget, [/aws:region: us-east-1/, "aws:region: eu-west-1"]]) });
        const found = eu.violations.filter((v) => v.policy === "cost-within-budget");
        assert.equal(found.length, 1, JSON.stringify(eu.violations));
        assert.match(found[0].message, /^team search: estimated \$691\.\d\d\/month at max scale \(eu-west-1 prices\) exceeds its budget of \$650\.00/);
        assert.equal(eu.cost.region, "eu-west-1");
    });
});
