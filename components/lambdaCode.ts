import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

/**
 * The repository holding a source: found upwards from here, because the program also runs from the
 * `.build/` transpile cache (tools/run.js), which holds JavaScript only.
 */
function sourcePath(source: string): string {
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
        const candidate = path.join(dir, source);
        if (fs.existsSync(candidate)) return candidate;
        if (path.dirname(dir) === dir) throw new Error(`Lambda source ${source} not found above ${__dirname}`);
    }
}


/**
 * Lambda code as JavaScript, transpiled from the tested TypeScript when the program runs (Pulumi runs
 * TypeScript programs with the compiler present), so no build step and no generated file can drift from
 * the source. Files keep their repository paths, so relative imports between them resolve as in the
 * repository; the handler is `<path without .ts>.<export>`. The Node.js 22 Lambda runtime provides the
 * AWS SDK v3, so nothing is bundled.
 */
export function lambdaFiles(sources: readonly string[]): Record<string, string> {
    const files: Record<string, string> = {};
    for (const source of sources) files[source.replace(/\.ts$/, ".js")] = precompiled(source) ?? transpile(source);
    return files;
}

/**
 * Under `npm run plan` the program runs from `.build/`, which tools/run.js has just brought up to date
 * with every source: reuse that JavaScript (minus its inline source map) rather than load the compiler,
 * which costs about half a second of every plan.
 */
function precompiled(source: string): string | undefined {
    if (!__filename.endsWith(".js")) return undefined;
    const file = path.join(__dirname, "..", source.replace(/\.ts$/, ".js"));
    if (!fs.existsSync(file)) return undefined;
    return fs.readFileSync(file, "utf8").replace(/\n\/\/# sourceMappingURL=data:[^\n]*\n?$/, "\n");
}

function transpile(source: string): string {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require("typescript") as typeof import("typescript");
    const text = fs.readFileSync(sourcePath(source), "utf8");
    return ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true }, fileName: source }).outputText;
}

export function lambdaArchive(sources: readonly string[]): pulumi.asset.AssetArchive {
    return new pulumi.asset.AssetArchive(Object.fromEntries(Object.entries(lambdaFiles(sources)).map(([name, js]) => [name, new pulumi.asset.StringAsset(js)])));
}
