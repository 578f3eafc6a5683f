import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");

/** Folders a layer may import from (besides itself and npm packages): the arrows point one way. */
const ALLOWED: Record<string, string[]> = {
    components: [],
    lib: ["components"],
    policies: ["components", "lib"],
    plan: ["components", "lib", "policies"],
    // The command-line tools on top: they may use anything below, never each other.
    audit: ["components", "lib", "policies", "plan"],
    ops: ["components", "lib", "policies", "plan"],
};

function* tsFiles(dir: string): Generator<string> {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory() && entry.name !== "node_modules") yield* tsFiles(full);
        else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) yield full;
    }
}

/** Top-level folders a file's relative imports reach into. */
function importedLayers(file: string): string[] {
    const text = fs.readFileSync(file, "utf8");
    const layers = new Set<string>();
    for (const m of text.matchAll(/(?:from\s+|require\(|import\(|^import\s+)\s*["'](\.[^"']+)["']/gm)) {
        const target = path.relative(ROOT, path.resolve(path.dirname(file), m[1]));
        layers.add(target.split(path.sep)[0]);
    }
    return [...layers];
}

describe("layers", () => {
    it("point one way: components <- lib <- policies <- plan (shared logic lives below what uses it)", () => {
        const wrong: string[] = [];
        for (const [layer, allowed] of Object.entries(ALLOWED)) {
            for (const file of tsFiles(path.join(ROOT, layer))) {
                for (const target of importedLayers(file)) {
                    if (target !== layer && target in ALLOWED && !allowed.includes(target)) wrong.push(`${path.relative(ROOT, file)} imports ${target}/`);
                }
            }
        }
        assert.deepEqual(wrong, []);
    });

    it("sees an import across layers (the check itself works)", () => {
        assert.deepEqual(importedLayers(path.join(ROOT, "policies", "budgetPolicies.ts")).sort(), ["components", "lib", "policies"]);
        const scratch = path.join(ROOT, ".scratch", "layers-probe", "probe.ts");
        fs.mkdirSync(path.dirname(scratch), { recursive: true });
        fs.writeFileSync(scratch, 'import "../../plan/x";\nconst y = require("../../audit/y");\n');
        assert.deepEqual(importedLayers(scratch).sort(), ["audit", "plan"], "side-effect imports and require count");
    });

    it("keeps the program's entry point on the components", () => {
        assert.deepEqual(importedLayers(path.join(ROOT, "index.ts")).filter((l) => l in ALLOWED && l !== "components"), []);
    });
});
