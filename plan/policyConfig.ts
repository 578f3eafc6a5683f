import Ajv from "ajv";
import { EnforcementLevel, Policies } from "@pulumi/policy";

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

type Entry = EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>);

/**
 * Resolve a Pulumi policy-config file against the pack the way the CLI does: `all` sets every policy's
 * level, a policy's own entry overrides it, properties are validated against the policy's configSchema
 * with its defaults filled in. Unknown policy names and schema violations are errors, so a typo in a
 * platform team's config cannot silently switch a policy off.
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

    const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
    const resolved = new Map<string, ResolvedPolicyConfig>();
    for (const policy of policies) {
        const entry = raw[policy.name];
        const { enforcementLevel: ownLevel, ...props } = typeof entry === "object" && entry !== null ? entry : { enforcementLevel: entry };
        const level = checkLevel(`"${policy.name}"`, ownLevel) ?? allLevel ?? policy.enforcementLevel ?? packLevel;
        const properties: Record<string, unknown> = JSON.parse(JSON.stringify(props));
        const schema = (policy as { configSchema?: { properties: object; required?: string[] } }).configSchema;
        if (schema) {
            const validate = ajv.compile({ type: "object", properties: schema.properties, required: schema.required ?? [], additionalProperties: false });
            if (level !== "disabled" && !validate(properties)) {
                for (const err of validate.errors ?? []) {
                    const where = err.instancePath ? err.instancePath.slice(1).replace(/\//g, ".") : "";
                    const detail = err.keyword === "additionalProperties"
                        ? `unknown property "${(err.params as { additionalProperty: string }).additionalProperty}": allowed are ${Object.keys(schema.properties).join(", ")}`
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
