import { ResourceValidationArgs } from "@pulumi/policy";

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
