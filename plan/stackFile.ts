import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { ConfigError } from "../components/config";
import { closest } from "../components/didYouMean";
import type { ConfigProblem } from "../components/validate";

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

/** Top-level keys of a Pulumi stack file: `ProjectStack` in pulumi/pulumi sdk/go/common/workspace/project.go:1229-1241. */
const STACK_FILE_KEYS = ["config", "environment", "secretsprovider", "encryptedkey", "encryptionsalt"];

/** Stand-in for a `secure:` value: the plan never has the stack's secrets provider. */
export const SECRET_PLACEHOLDER = "https://plan-placeholder.invalid/secure-value";

export function readProjectName(projectDir: string): string {
    const file = path.join(projectDir, "Pulumi.yaml");
    const doc = yaml.load(fs.readFileSync(file, "utf8")) as { name?: unknown } | undefined;
    if (typeof doc?.name !== "string") throw new UsageError(`${file}: no project name`);
    return doc.name;
}

function isSecure(v: unknown): boolean {
    return typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && "secure" in v;
}

function replaceSecure(v: unknown, found: () => void): unknown {
    if (isSecure(v)) {
        found();
        return SECRET_PLACEHOLDER;
    }
    if (Array.isArray(v)) return v.map((x) => replaceSecure(x, found));
    if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replaceSecure(x, found)]));
    return v;
}

/**
 * YAML reads `1e400` and `.inf` as infinity and `.nan` as not-a-number; JSON (how Pulumi hands structured
 * values to the program) has neither and would show them as `null`. Name them as what they are.
 */
function nonFiniteProblems(value: unknown, at: string, out: ConfigProblem[]): ConfigProblem[] {
    if (typeof value === "number" && !Number.isFinite(value)) {
        const what = Number.isNaN(value) ? "not a number" : value > 0 ? "infinity" : "minus infinity";
        const allowed = Number.isNaN(value)
            ? "YAML reads .nan as not-a-number: write a number"
            : "YAML reads a number this large (1e400, .inf) as infinity: write a finite number";
        out.push({ path: at, value, allowed, message: `${at}: ${what} is not allowed: ${allowed}` });
    } else if (Array.isArray(value)) {
        value.forEach((v, i) => nonFiniteProblems(v, `${at}[${i}]`, out));
    } else if (typeof value === "object" && value !== null) {
        for (const [k, v] of Object.entries(value)) nonFiniteProblems(v, `${at}.${k}`, out);
    }
    return out;
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
    for (const top of Object.keys(root)) {
        if (STACK_FILE_KEYS.includes(top)) continue;
        const near = closest(top, STACK_FILE_KEYS);
        throw new UsageError(`${file}: unknown top-level key "${top}"${near ? `: did you mean ${near}?` : ""} (a stack file has ${STACK_FILE_KEYS.join(", ")}; settings go under config:)`);
    }
    const raw = root.config ?? {};
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new UsageError(`${file}: config: must be a map of key to value`);
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const nonFinite: ConfigProblem[] = [];
    for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
        // Pulumi reads a key without a namespace as the project's own.
        const fullKey = key.includes(":") ? key : `${project}:${key}`;
        nonFiniteProblems(value, fullKey, nonFinite);
        // `secure:` values may sit at the top or inside structured values (`config set --secret --path`);
        // either makes the whole key secret, as Pulumi does.
        let secret = false;
        const replaced = replaceSecure(value, () => { secret = true; });
        if (secret) secretKeys.push(fullKey);
        config[fullKey] = typeof replaced === "string" ? replaced : JSON.stringify(replaced);
    }
    if (nonFinite.length > 0) throw new ConfigError(nonFinite);
    return { config, secretKeys };
}
