import { roundCents } from "../components/catalog";
import { Range } from "../lib/cost";
import { PlanReport, ReportViolation } from "./reportJson";

/**
 * What changed between a baseline report (a previous `--json`, usually of the base branch) and this plan:
 * cost per team and in total, cost lines matched by URN with the inputs that moved, violations new, fixed
 * and unchanged. Pure: both sides are report documents, so the diff of two stored reports is the same as
 * the diff a live plan prints.
 */

export interface RangeChange {
    before: Range;
    after: Range;
    delta: Range;
}

export interface LineState {
    description: string;
    monthly: Range;
    unpriced?: string;
}

export interface LineRef extends LineState {
    urn: string;
    team: string;
}

export interface InputChange {
    /** Dotted path into the resource's inputs, `[i]` for array items. */
    path: string;
    before?: unknown;
    after?: unknown;
}

export interface LineChange {
    urn: string;
    team: string;
    before: LineState;
    after: LineState;
    delta: Range;
    /** Inputs of the resource that differ; absent when either report was written with `--no-inputs`. */
    inputs?: InputChange[];
}

export interface PlanDiff {
    baseline: { project: string; stack: string; schemaVersion: number };
    monthly: RangeChange;
    byTeam: Record<string, RangeChange>;
    lines: { added: LineRef[]; removed: LineRef[]; changed: LineChange[]; unchanged: number };
    violations: { new: ReportViolation[]; fixed: ReportViolation[]; unchanged: ReportViolation[] };
}

const KEYS = ["min", "expected", "max"] as const;
const ZERO: Range = { min: 0, expected: 0, max: 0 };
const sameRange = (a: Range, b: Range) => KEYS.every((k) => a[k] === b[k]);

export function rangeChange(before: Range, after: Range): RangeChange {
    const pick = (r: Range): Range => ({ min: r.min, expected: r.expected, max: r.max });
    return { before: pick(before), after: pick(after), delta: { min: roundCents(after.min - before.min), expected: roundCents(after.expected - before.expected), max: roundCents(after.max - before.max) } };
}

/** Leaf paths where two input trees differ; arrays compare item by item. */
export function inputChanges(before: unknown, after: unknown, prefix = "", out: InputChange[] = []): InputChange[] {
    const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
    if (isObj(before) && isObj(after)) {
        for (const k of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
            inputChanges(before[k], after[k], prefix ? `${prefix}.${k}` : k, out);
        }
    } else if (Array.isArray(before) && Array.isArray(after)) {
        for (let i = 0; i < Math.max(before.length, after.length); i++) inputChanges(before[i], after[i], `${prefix}[${i}]`, out);
    } else if (JSON.stringify(before) !== JSON.stringify(after)) {
        out.push({ path: prefix, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) });
    }
    return out;
}

const lineState = (l: LineState): LineState => ({ description: l.description, monthly: l.monthly, ...(l.unpriced ? { unpriced: l.unpriced } : {}) });
const lineRef = (l: LineRef): LineRef => ({ urn: l.urn, team: l.team, ...lineState(l) });

function diffViolations(base: readonly ReportViolation[], head: readonly ReportViolation[]): PlanDiff["violations"] {
    const exact = (v: ReportViolation) => `${v.policy}|${v.urn ?? ""}|${v.message}`;
    // A message that quotes a figure changes with the figure; the same policy on the same resource is the same finding.
    const loose = (v: ReportViolation) => `${v.policy}|${v.urn ?? ""}|${v.urn ? "" : v.message}`;
    const remaining = new Map<string, ReportViolation[]>();
    for (const v of base) remaining.set(exact(v), [...(remaining.get(exact(v)) ?? []), v]);
    const unchanged: ReportViolation[] = [], unmatched: ReportViolation[] = [];
    for (const v of head) {
        const hit = remaining.get(exact(v));
        if (hit && hit.length > 0) { hit.pop(); unchanged.push(v); } else unmatched.push(v);
    }
    const leftover = [...remaining.values()].flat();
    const fixed: ReportViolation[] = [], added: ReportViolation[] = [];
    for (const v of unmatched) {
        const i = leftover.findIndex((b) => loose(b) === loose(v));
        if (i >= 0) { leftover.splice(i, 1); unchanged.push(v); } else added.push(v);
    }
    fixed.push(...leftover);
    return { new: added, fixed, unchanged };
}

export function diffReports(base: PlanReport, head: PlanReport): PlanDiff {
    const byTeam: Record<string, RangeChange> = {};
    for (const team of [...new Set([...Object.keys(base.cost.byTeam), ...Object.keys(head.cost.byTeam)])].sort()) {
        byTeam[team] = rangeChange(base.cost.byTeam[team] ?? ZERO, head.cost.byTeam[team] ?? ZERO);
    }
    const baseLines = new Map(base.cost.lines.map((l) => [l.urn, l]));
    const headUrns = new Set(head.cost.lines.map((l) => l.urn));
    const baseInputs = new Map(base.resources.map((r) => [r.urn, r.inputs]));
    const headInputs = new Map(head.resources.map((r) => [r.urn, r.inputs]));
    const added: LineRef[] = [], changed: LineChange[] = [];
    let unchanged = 0;
    for (const l of head.cost.lines) {
        const b = baseLines.get(l.urn);
        if (!b) { added.push(lineRef(l)); continue; }
        if (sameRange(b.monthly, l.monthly) && b.description === l.description && b.unpriced === l.unpriced) { unchanged++; continue; }
        const before = baseInputs.get(l.urn), after = headInputs.get(l.urn);
        changed.push({
            urn: l.urn, team: l.team, before: lineState(b), after: lineState(l), delta: rangeChange(b.monthly, l.monthly).delta,
            ...(before && after ? { inputs: inputChanges(before, after) } : {}),
        });
    }
    const removed = base.cost.lines.filter((l) => !headUrns.has(l.urn)).map(lineRef);
    const byDelta = <T extends { monthly?: Range; delta?: Range }>(a: T, b: T) => Math.abs((b.delta ?? b.monthly!).max) - Math.abs((a.delta ?? a.monthly!).max);
    return {
        baseline: { project: base.project, stack: base.stack, schemaVersion: base.schemaVersion },
        monthly: rangeChange(base.cost.monthly, head.cost.monthly),
        byTeam,
        lines: { added: added.sort(byDelta), removed: removed.sort(byDelta), changed: changed.sort(byDelta), unchanged },
        violations: diffViolations(base.violations, head.violations),
    };
}
