import * as fs from "fs";
import * as path from "path";
import taggableTypes from "./data/aws-taggable-types.json";

/**
 * Which AWS resource types take a `tags` input, derived from the installed @pulumi/aws rather than a
 * hand-picked list: every resource class whose constructor passes `args.tags` through. The list is
 * generated (`npm run gen:taggable`) so a policy run does not read 1,700 files, and a test fails when it
 * drifts from the installed provider.
 */
export const AWS_TAGGABLE_TYPES: ReadonlySet<string> = new Set(taggableTypes.types);

export function isTaggableAwsType(type: string): boolean {
    return AWS_TAGGABLE_TYPES.has(type);
}

function* jsFiles(dir: string): Generator<string> {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) yield* jsFiles(full);
        else if (entry.name.endsWith(".js")) yield full;
    }
}

/** Scan an installed @pulumi/aws for resource types whose args include `tags`. */
export function scanTaggableTypes(awsPackageDir: string): string[] {
    const types = new Set<string>();
    for (const file of jsFiles(awsPackageDir)) {
        const text = fs.readFileSync(file, "utf8");
        if (!text.includes('resourceInputs["tags"] = args')) continue;
        const match = /__pulumiType = '(aws:[^']+)'/.exec(text);
        if (match) types.add(match[1]);
    }
    return [...types].sort();
}

export function installedAwsPackage(): { dir: string; version: string } {
    const pkgJson = require.resolve("@pulumi/aws/package.json");
    return { dir: path.dirname(pkgJson), version: (JSON.parse(fs.readFileSync(pkgJson, "utf8")) as { version: string }).version };
}

if (require.main === module) {
    const { dir, version } = installedAwsPackage();
    const out = path.join(__dirname, "data", "aws-taggable-types.json");
    fs.writeFileSync(out, JSON.stringify({ provider: "@pulumi/aws", version, types: scanTaggableTypes(dir) }, null, 1) + "\n");
    console.log(`wrote ${out}`);
}
