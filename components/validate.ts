/**
 * A small path-tracking checker for stack config. It collects every problem instead of stopping at the
 * first, so a user fixes a config in one round trip, and writes each one as
 * `<key path>: <value> is not allowed: <what is allowed>`.
 */

import { closest } from "./didYouMean";

export interface ConfigProblem {
    /** Full key path, e.g. `ai-infra:nodeGroups.llm-spot.maxSize`. */
    path: string;
    /** The offending value as written (undefined when the key is missing). */
    value: unknown;
    /** What would be accepted. */
    allowed: string;
    message: string;
}

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function showValue(value: unknown): string {
    if (value === undefined) return "undefined";
    if (typeof value === "string") return JSON.stringify(value);
    try {
        const text = JSON.stringify(value);
        return text.length > 80 ? `${text.slice(0, 77)}...` : text;
    } catch {
        return String(value);
    }
}

export class Checker {
    readonly problems: ConfigProblem[] = [];

    fail(path: string, value: unknown, allowed: string): void {
        const message = value === undefined
            ? `${path}: missing: required, ${allowed}`
            : `${path}: ${showValue(value)} is not allowed: ${allowed}`;
        this.problems.push({ path, value, allowed, message });
    }

    /** An object whose keys are all in `allowedKeys`; unknown keys are problems (typos must not pass). */
    object(path: string, value: unknown, allowedKeys: readonly string[]): Record<string, unknown> | undefined {
        if (value === null || typeof value !== "object" || Array.isArray(value)) {
            this.fail(path, value, `must be an object with keys ${allowedKeys.join(", ")}`);
            return undefined;
        }
        const record = value as Record<string, unknown>;
        for (const key of Object.keys(record)) {
            if (!allowedKeys.includes(key)) this.unknownKey(`${path}.${key}`, key, allowedKeys);
        }
        return record;
    }

    /**
     * A key the schema does not have. The key path is the news, not its value (which may be a whole map):
     * say the nearest known key, then the rest.
     */
    unknownKey(path: string, key: string, allowedKeys: readonly string[], show: (k: string) => string = (k) => k): void {
        const near = closest(key, allowedKeys);
        const allowed = `${near ? `did you mean ${show(near)}? ` : ""}allowed keys are ${allowedKeys.map(show).join(", ")}`;
        this.problems.push({ path, value: key, allowed, message: `${path}: unknown key: ${allowed}` });
    }

    /** A map whose keys are names (teams, node groups): keys must be DNS labels. */
    namedMap(path: string, value: unknown, what: string): [string, unknown][] {
        if (value === null || typeof value !== "object" || Array.isArray(value)) {
            this.fail(path, value, `must be a map of ${what} name to settings`);
            return [];
        }
        const entries = Object.entries(value as Record<string, unknown>);
        for (const [name] of entries) {
            if (!DNS_LABEL.test(name) || name.length > 63) {
                this.fail(`${path}.${name}`, name, `${what} names must be lower-case DNS labels (a-z, 0-9, '-'), at most 63 characters`);
            }
        }
        return entries;
    }

    string(path: string, value: unknown, opts: { pattern?: RegExp; describe?: string; oneOf?: readonly string[] } = {}): string | undefined {
        const allowed = opts.oneOf ? `must be one of ${opts.oneOf.join(", ")}` : `must be ${opts.describe ?? "a non-empty string"}`;
        if (typeof value !== "string" || value.trim() === "") {
            this.fail(path, value, allowed);
            return undefined;
        }
        if ((opts.oneOf && !opts.oneOf.includes(value)) || (opts.pattern && !opts.pattern.test(value))) {
            this.fail(path, value, allowed);
            return undefined;
        }
        return value;
    }

    integer(path: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER, describe?: string): number | undefined {
        const allowed = describe ?? (max === Number.MAX_SAFE_INTEGER ? `must be an integer >= ${min}` : `must be an integer from ${min} to ${max}`);
        if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
            this.fail(path, value, allowed);
            return undefined;
        }
        return value;
    }

    number(path: string, value: unknown, check: (n: number) => boolean, allowed: string): number | undefined {
        if (typeof value !== "number" || !Number.isFinite(value) || !check(value)) {
            this.fail(path, value, allowed);
            return undefined;
        }
        return value;
    }

    boolean(path: string, value: unknown): boolean | undefined {
        if (typeof value !== "boolean") {
            this.fail(path, value, "must be true or false");
            return undefined;
        }
        return value;
    }

    /** A non-empty list of unique strings, each checked by `item`. */
    stringList(path: string, value: unknown, item: (path: string, v: unknown) => string | undefined, opts: { allowEmpty?: boolean } = {}): string[] | undefined {
        if (!Array.isArray(value) || (!opts.allowEmpty && value.length === 0)) {
            this.fail(path, value, opts.allowEmpty ? "must be a list" : "must be a non-empty list");
            return undefined;
        }
        const seen = new Set<string>();
        const out: string[] = [];
        value.forEach((v, i) => {
            const s = item(`${path}[${i}]`, v);
            if (s === undefined) return;
            if (seen.has(s)) {
                this.fail(`${path}[${i}]`, v, "duplicates an earlier entry: list each value once");
                return;
            }
            seen.add(s);
            out.push(s);
        });
        return out;
    }
}
