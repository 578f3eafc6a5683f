import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";

/** Config as Pulumi hands it to a program: `namespace:key` → string, structured values as JSON. */
export interface StackFileConfig {
    config: Record<string, string>;
    /** Keys whose values were `secure:` ciphertext; the plan cannot decrypt them and uses placeholders. */
    secretKeys: string[];
}

export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

/** Stand-in for a `secure:` value: the plan never has the stack's secrets provider. */
export const SECRET_PLACEHOLDER = "plan-placeholder-for-secure-value";

export function readProjectName(projectDir: string): string {
    const file = path.join(projectDir, "Pulumi.yaml");
    const doc = yaml.load(fs.readFileSync(file, "utf8")) as { name?: unknown } | undefined;
    if (typeof doc?.name !== "string") throw new UsageError(`${file}: no project name`);
    return doc.name;
}

/** Read a `Pulumi.<stack>.yaml` the way the Pulumi CLI presents it to the program. */
export function readStackFile(file: string, project: string): StackFileConfig {
    if (!fs.existsSync(file)) throw new UsageError(`stack config ${file} does not exist`);
    let doc: unknown;
    try {
        doc = yaml.load(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new UsageError(`${file}: not valid YAML: ${(e as Error).message.split("\n")[0]}`);
    }
    const root = (doc ?? {}) as Record<string, unknown>;
    if (typeof root !== "object" || Array.isArray(root)) throw new UsageError(`${file}: must be a YAML map with a config: key`);
    const raw = root.config ?? {};
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new UsageError(`${file}: config: must be a map of key to value`);
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
        // Pulumi reads a key without a namespace as the project's own.
        const fullKey = key.includes(":") ? key : `${project}:${key}`;
        if (typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value) {
            config[fullKey] = SECRET_PLACEHOLDER;
            secretKeys.push(fullKey);
        } else {
            config[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return { config, secretKeys };
}
