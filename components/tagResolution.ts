import { LABEL_PREFIX, TAG_KEYS } from "./tags";

/**
 * One view of a resource's tags, team and region for every policy and for the cost estimator, so a
 * verdict and a price never disagree about who pays or where it runs. Below both policies/ and plan/:
 * it imports neither.
 *
 * Everything here reads props defensively and preview-safe. During `pulumi preview` the policy SDK wraps
 * props in a proxy whose `get` throws `UnknownValueError` for a value not yet known
 * (@pulumi/policy 1.21.0 proxy.js:52-62); a throw turns a whole policy into an advisory "can't run during
 * preview" (server.js:287-290). Reads here catch exactly that and answer UNKNOWN instead.
 */

/** A value that is unknown until deployment. */
export const UNKNOWN: unique symbol = Symbol("known after deploy");
export type Maybe<T> = T | typeof UNKNOWN | undefined;

/** What messages and tag maps show for a tag value unknown in a preview. */
export const UNKNOWN_TAG_VALUE = "(known after deploy)";

/** The sentinels @pulumi/policy deserializes unknowns to (proxy.js:129-159); a test pins them to the installed SDK. */
export const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", "3eeb2bf0-c639-47a8-9e75-3b44932eb421", "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", "030794c1-ac77-496b-92df-f27374a8bd58", "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);

function isUnknownValueError(e: unknown): boolean {
    return e instanceof Error && e.constructor.name === "UnknownValueError";
}

/** `obj[key]`, UNKNOWN when a preview cannot know it, undefined when absent or `obj` is not an object. */
export function peek(obj: unknown, key: string): unknown {
    if (typeof obj !== "object" || obj === null) return undefined;
    let v: unknown;
    try {
        v = (obj as Record<string, unknown>)[key];
    } catch (e) {
        if (isUnknownValueError(e)) return UNKNOWN;
        throw e;
    }
    return typeof v === "string" && UNKNOWN_SENTINELS.has(v) ? UNKNOWN : v;
}

/** Walk a path with `peek`; UNKNOWN as soon as a step is unknown. */
export function peekAt(obj: unknown, ...keys: string[]): unknown {
    let cur = obj;
    for (const k of keys) {
        if (cur === UNKNOWN) return UNKNOWN;
        cur = peek(cur, k);
    }
    return cur;
}

/**
 * A plain deep copy of props, or UNKNOWN if any value in them is unknown (a remediation returning a
 * preview's props would otherwise hand the engine values it cannot serialize).
 */
export function knownCopy(v: unknown): unknown {
    if (v === UNKNOWN) return UNKNOWN;
    if (Array.isArray(v)) {
        const out: unknown[] = [];
        for (const x of elements(v)) {
            const c = knownCopy(x);
            if (c === UNKNOWN) return UNKNOWN;
            out.push(c);
        }
        return out;
    }
    if (typeof v === "object" && v !== null) {
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(v)) {
            const c = knownCopy(peek(v, k));
            if (c === UNKNOWN) return UNKNOWN;
            out[k] = c;
        }
        return out;
    }
    return v;
}

export function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The elements of an array (each read with `peek`), [] for anything else. */
export function elements(v: unknown): unknown[] {
    if (!Array.isArray(v)) return [];
    const out: unknown[] = [];
    for (let i = 0; i < v.length; i++) out.push(peek(v, String(i)));
    return out;
}

export function strings(v: unknown): string[] {
    return elements(v).filter((x): x is string => typeof x === "string");
}

/** A string map; values unknown in a preview read as UNKNOWN_TAG_VALUE, non-strings are dropped. */
function stringValues(v: unknown): Record<string, string> | undefined {
    if (!isObject(v)) return undefined;
    const out: Record<string, string> = {};
    // Object.keys goes through the proxy's ownKeys, which is not intercepted.
    for (const k of Object.keys(v)) {
        const value = peek(v, k);
        if (value === UNKNOWN) out[k] = UNKNOWN_TAG_VALUE;
        else if (typeof value === "string") out[k] = value;
    }
    return out;
}

/**
 * A provider's `defaultTags.tags`. Provider inputs that are objects reach the engine JSON-encoded
 * (`defaultTags: "{\"tags\":...}"`), and so does `aws:defaultTags` stack config on the default provider.
 */
export function providerDefaultTags(providerProps: unknown): Record<string, string> {
    let defaultTags = peek(providerProps, "defaultTags");
    if (typeof defaultTags === "string") {
        try {
            defaultTags = JSON.parse(defaultTags);
        } catch {
            return {};
        }
    }
    return stringValues(peek(defaultTags, "tags")) ?? {};
}

export interface ResolvedTags {
    /** The tags the resource ends up with: provider `defaultTags` overlaid by its own (as the AWS provider merges them). */
    tags: Record<string, string>;
    /** Neither the resource nor its provider declares any tag. */
    none: boolean;
    /** The resource's own tag map is unknown as a whole (a preview): nothing can be judged yet. */
    unknown: boolean;
}

/** Auto Scaling groups take tags as a list of `{key, value, propagateAtLaunch}`. */
function tagList(v: unknown): Record<string, string> | undefined {
    if (!Array.isArray(v)) return undefined;
    const out: Record<string, string> = {};
    for (const t of elements(v)) {
        const key = peek(t, "key"), value = peek(t, "value");
        if (typeof key === "string") out[key] = value === UNKNOWN ? UNKNOWN_TAG_VALUE : typeof value === "string" ? value : "";
    }
    return out;
}

/**
 * Resource types the AWS provider does not apply `defaultTags` to (its aws_autoscaling_group
 * documentation: tags are set per group, with propagate_at_launch).
 */
const NO_DEFAULT_TAGS: ReadonlySet<string> = new Set(["aws:autoscaling/group:Group"]);

/** Tags of an AWS resource: its own `tags` (and `tagsAll`, when a provider reports it) over its provider's default tags. */
export function resolveTags(props: unknown, providerProps?: unknown, type?: string): ResolvedTags {
    const defaults = type !== undefined && NO_DEFAULT_TAGS.has(type) ? {} : providerDefaultTags(providerProps);
    const ownRaw = peek(props, "tags");
    const own = stringValues(ownRaw) ?? tagList(ownRaw);
    const all = stringValues(peek(props, "tagsAll"));
    const tags = { ...defaults, ...(all ?? {}), ...(own ?? {}) };
    return { tags, none: own === undefined && all === undefined && Object.keys(defaults).length === 0 && ownRaw !== UNKNOWN, unknown: ownRaw === UNKNOWN };
}

/** The Kubernetes label key that names a workload's team, unless a policy is configured otherwise. */
export const DEFAULT_TEAM_LABEL = `${LABEL_PREFIX}${TAG_KEYS.team}`;

/**
 * Who a resource is charged to: its effective `team` tag, or for a Kubernetes object the team label.
 * UNKNOWN_TAG_VALUE when a preview cannot tell; undefined when it names none.
 */
export function resolveTeam(props: unknown, providerProps?: unknown, type?: string, teamLabel = DEFAULT_TEAM_LABEL): string | undefined {
    const tagged = resolveTags(props, providerProps, type).tags[TAG_KEYS.team];
    if (tagged !== undefined && tagged !== "") return tagged;
    const label = peek(peekAt(props, "metadata", "labels"), teamLabel);
    if (label === UNKNOWN) return UNKNOWN_TAG_VALUE;
    return typeof label === "string" && label !== "" ? label : undefined;
}

/**
 * The region a resource is deployed to: its provider's `region` (an explicit provider's input, or the
 * default provider's, which the engine builds from `aws:region` stack config). Undefined when the
 * provider does not say (region from the environment) or a preview cannot know it.
 */
export function resolveRegion(providerProps: unknown): string | undefined {
    const region = peek(providerProps, "region");
    return typeof region === "string" && region !== "" ? region : undefined;
}
