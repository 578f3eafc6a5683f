import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as ts from "typescript";

/** The Lambda's source files, in this folder; they import only each other and the AWS SDK v3. */
export const LAMBDA_SOURCES = ["handler.ts", "hold.ts"] as const;

/**
 * The Lambda code as JavaScript, transpiled from the tested TypeScript when the program runs (Pulumi
 * runs TypeScript programs with the compiler present), so no build step and no generated file can
 * drift from the source. The Node.js 22 Lambda runtime provides the AWS SDK v3, so nothing is bundled.
 */
export function lambdaFiles(): Record<string, string> {
    const files: Record<string, string> = {};
    for (const source of LAMBDA_SOURCES) {
        const text = fs.readFileSync(path.join(__dirname, source), "utf8");
        const out = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true }, fileName: source });
        files[source.replace(/\.ts$/, ".js")] = out.outputText;
    }
    return files;
}

export function lambdaArchive(): pulumi.asset.AssetArchive {
    return new pulumi.asset.AssetArchive(Object.fromEntries(Object.entries(lambdaFiles()).map(([name, js]) => [name, new pulumi.asset.StringAsset(js)])));
}
