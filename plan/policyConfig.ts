import Ajv from "ajv";
import * as fs from "fs";
import { EnforcementLevel, Policies } from "@pulumi/policy";
import { MOVED_CONFIG_KEYS } from "../policies/configKeys";
import { UsageError } from "./stackFile";

export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** Per policy: its enforcement level and its config properties (schema defaults applied). */
export interface ResolvedPolicyConfig {
    enforcementLevel: EnforcementLevel;
    properties: Record<string, unknown>;
}

export class PolicyConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(`invalid policy config (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "PolicyConfigError";
    }
}

function unknownProperty(policy: string, key: string, allowed: string[]): string {
    const moved = MOVED_CONFIG_KEYS[policy]?.[key];
    return `unknown property "${key}"${moved ? ` (${moved})` : ""}: allowed are ${allowed.join(", ")}`;
}

type Entry = EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>);

/** Read a policy config file (the CLI's `--policy-pack-config` format): a missing file is a usage error, bad JSON a config error. */
export function readPolicyConfigFile(file: string): unknown {
    if (!fs.existsSync(file)) throw new UsageError(`policy config ${file} does not exist`);
    try {
        return JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new PolicyConfigError([`${file}: not valid JSON: ${(e as Error).message}`]);
    }
}

/**
 * Resolve a Pulumi policy-config file against the pack: `all` sets every policy's level, a policy's own
 * entry overrides it, properties are validated against the policy's configSchema with its defaults filled
 * in, disabled policies included (the CLI validates them too). Stricter than the CLI in one respect: the
 * CLI forwards only `properties` and `required` and never checks policy names, so an unknown policy name
 * is caught here only. An unknown key inside a policy's entry is caught here and, under the real CLI, by
 * the policy itself (policies/configKeys.ts).
 */
export function resolvePolicyConfig(file: unknown, policies: Policies, packLevel: EnforcementLevel = "advisory"): Map<string, ResolvedPolicyConfig> {
    const problems: string[] = [];
    if (file === null || typeof file !== "object" || Array.isArray(file)) {
        throw new PolicyConfigError([`the file must be a JSON object of policy name to settings, got ${JSON.stringify(file)}`]);
    }
    const raw = file as Record<string, Entry>;
    const names = new Set(policies.map((p) => p.name));
    for (const key of Object.keys(raw)) {
        if (key !== "all" && !names.has(key)) problems.push(`"${key}": unknown policy: the pack has ${[...names].join(", ")}`);
    }
    const checkLevel = (where: string, level: unknown): EnforcementLevel | undefined => {
        if (level === undefined) return undefined;
        if (typeof level === "string" && (ENFORCEMENT_LEVELS as readonly string[]).includes(level)) return level as EnforcementLevel;
        problems.push(`${where}: enforcementLevel ${JSON.stringify(level)} is not allowed: must be one of ${ENFORCEMENT_LEVELS.join(", ")}`);
        return undefined;
    };
    const allLevel = checkLevel(`"all"`, typeof raw.all === "object" && raw.all !== null ? raw.all.enforcementLevel : raw.all);

    // The schemas are the pack's own, checked against the JSON Schema meta-schema by the tests
    // (test/policies/configSchemas.test.ts); compiling the meta-schema on every plan cost ~75 ms.
    const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, validateSchema: false });
    const resolved = new Map<string, ResolvedPolicyConfig>();
    for (const policy of policies) {
        const entry = raw[policy.name];
        const { enforcementLevel: ownLevel, ...props } = typeof entry === "object" && entry !== null ? entry : { enforcementLevel: entry };
        const level = checkLevel(`"${policy.name}"`, ownLevel) ?? allLevel ?? policy.enforcementLevel ?? packLevel;
        const properties: Record<string, unknown> = JSON.parse(JSON.stringify(props));
        const schema = (policy as { configSchema?: { properties: object; required?: string[] } }).configSchema;
        if (schema) {
            const validate = ajv.compile({ type: "object", properties: schema.properties, required: schema.required ?? [], additionalProperties: false });
            if (!validate(properties)) {
                for (const err of validate.errors ?? []) {
                    const where = err.instancePath ? err.instancePath.slice(1).replace(/\//g, ".") : "";
                    const detail = err.keyword === "additionalProperties"
                        ? unknownProperty(policy.name, (err.params as { additionalProperty: string }).additionalProperty, Object.keys(schema.properties))
                        : `${where ? `${where} ` : ""}${err.message}`;
                    problems.push(`"${policy.name}": ${detail}`);
                }
            }
        } else if (Object.keys(properties).length > 0) {
            problems.push(`"${policy.name}": takes no properties, got ${Object.keys(properties).join(", ")}`);
        }
        resolved.set(policy.name, { enforcementLevel: level, properties });
    }
    if (problems.length > 0) throw new PolicyConfigError(problems);
    return resolved;
}
