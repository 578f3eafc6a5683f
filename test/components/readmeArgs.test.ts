import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");

/** The fields of `export interface <name> { ... }` in a source file, as written. */
function argsFields(file: string, name: string): string[] {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    const body = new RegExp(`export interface ${name} \\{\\n([\\s\\S]*?)\\n\\}`).exec(text)?.[1];
    assert.ok(body, `${name} in ${file}`);
    return [...body.matchAll(/^ {4}(?:readonly )?([A-Za-z]+)\??:/gm)].map((m) => m[1]);
}

// README "Use the components in your own program" lists every argument of each published component: a new
// or renamed field that the table misses would leave users of the package guessing.
describe("README documents every argument of the published components", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const components: [string, string, string][] = [
        ["GpuNodeGroup", "components/gpuNodeGroup.ts", "GpuNodeGroupArgs"],
        ["TeamBudgets", "components/budgets.ts", "TeamBudgetsArgs"],
        ["GatewayCache", "components/cache.ts", "GatewayCacheArgs"],
        ["AiGateway", "components/gateway/aiGateway.ts", "AiGatewayArgs"],
        ["Monitoring", "components/monitoring/monitoring.ts", "MonitoringArgs"],
    ];
    for (const [component, file, args] of components) {
        it(`${component}: every field of ${args}`, () => {
            const row = readme.split("\n").find((l) => l.startsWith(`| \`${component}\` (`));
            assert.ok(row, `a row for ${component}`);
            const fields = argsFields(file, args);
            assert.ok(fields.length >= 5, fields.join(", "));
            assert.deepEqual(fields.filter((f) => !row.includes(`\`${f}\``)), []);
        });
    }
});
