import { ResourceValidationArgs } from "@pulumi/policy";
import { parseIsoDate, todayUtc } from "../components/eksVersions";

/**
 * Helpers every policy uses to read props defensively: a policy that throws blocks every deploy, so
 * malformed or partial props are read as "absent", never dereferenced blindly.
 */

export function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function stringMap(v: unknown): Record<string, string> | undefined {
    if (!isRecord(v)) return undefined;
    const out: Record<string, string> = {};
    for (const [k, value] of Object.entries(v)) if (typeof value === "string") out[k] = value;
    return out;
}

/** Walk a dotted path through nested objects; undefined when any step is missing or not an object. */
export function at(v: unknown, ...keys: string[]): unknown {
    let cur = v;
    for (const k of keys) {
        if (!isRecord(cur)) return undefined;
        cur = cur[k];
    }
    return cur;
}

/** `aws:eks/nodeGroup:NodeGroup ai-gpu` — how messages name a resource. */
export function describeResource(args: Pick<ResourceValidationArgs, "type" | "name">): string {
    return `${args.type} "${args.name}"`;
}

/** The JSON-schema subset Pulumi policy config schemas use, typed for our policies' declarations. */
export type Schema = {
    type?: "string" | "number" | "integer" | "boolean" | "array" | "object";
    enum?: readonly (string | number)[];
    items?: Schema;
    properties?: Record<string, Schema>;
    additionalProperties?: Schema | boolean;
    default?: unknown;
    minimum?: number;
    maximum?: number;
    minItems?: number;
    description?: string;
};

/** The `asOf` setting of policies that judge dated facts (support ends, end-of-life dates). */
export const AS_OF_SETTING = {
    type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$", description: "Judge on this day (YYYY-MM-DD) instead of today.",
} as const;

/** The day a dated policy judges: `asOf` when set, else today (UTC); a malformed `asOf` is reported, never replaced. */
export function judgedDay(asOf: unknown, policy: string, report: (message: string) => void): Date | undefined {
    const day = typeof asOf === "string" ? parseIsoDate(asOf) : todayUtc();
    if (!day) report(`${policy}: asOf ${JSON.stringify(asOf)} is not a YYYY-MM-DD date`);
    return day;
}

/** A count of days from policy config, or the default when it is not a non-negative integer. */
export function daysSetting(value: unknown, fallback: number): number {
    return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : fallback;
}
