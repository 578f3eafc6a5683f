import { EnforcementLevel } from "@pulumi/policy";
import * as path from "path";
import { CostLine, Range, teamOf, TeamCost } from "../lib/cost";
import type { PlanDiff } from "./diff";
import { Remediation, Violation } from "./judge";
import { mandatoryViolations, PlanResult, PROJECT_DIR } from "./plan";
import { SavingsFigures, savingsReport } from "./savings";

/**
 * The `--json` report: the contract a pipeline reads (plan/report.schema.json). Bump SCHEMA_VERSION on any
 * change a reader could trip on; a baseline of another version is refused rather than compared.
 */
export const SCHEMA_VERSION = 1;

export type Status = "pass" | "fail" | "error";

export interface ReportResource {
    urn: string;
    type: string;
    name: string;
    parent?: string;
    /** Left out with `--no-inputs`. */
    inputs?: Record<string, unknown>;
}

export interface ReportViolation {
    policy: string;
    enforcementLevel: EnforcementLevel;
    urn?: string;
    /** The team the violating resource is charged to, when the plan knows it. */
    team?: string;
    message: string;
}

export interface ViolationCounts {
    total: number;
    byLevel: Record<string, number>;
    byPolicy: Record<string, number>;
}

export interface UnpricedLine {
    urn: string;
    team: string;
    description: string;
    reason: string;
}

export type ReportTeamCost = TeamCost & SavingsFigures;

export interface ReportCost extends SavingsFigures {
    currency: string;
    region: string;
    pricesAsOf: string;
    monthly: Range;
    budget: number;
    byTeam: Record<string, ReportTeamCost>;
    lines: CostLine[];
    /** Lines the catalog cannot price: their figures are 0, so totals and savings leave them out. */
    unpriced: UnpricedLine[];
    warnings: string[];
    notEstimated: string[];
}

export interface PlanReport {
    schemaVersion: number;
    project: string;
    stack: string;
    environment: string;
    status: Exclude<Status, "error">;
    exitCode: 0 | 1;
    /** Present with `--baseline`: what changed against it, first because a reviewer reads it first. */
    diff?: PlanDiff;
    policyConfigFile: string;
    violationCounts: ViolationCounts;
    violations: ReportViolation[];
    remediations: Remediation[];
    cost: ReportCost;
    resources: ReportResource[];
}

/** What `--json` holds when the plan could not run (exit 2): the reason, so a pipeline never reads a stale file. */
export interface ErrorReport {
    schemaVersion: number;
    stack?: string;
    status: "error";
    exitCode: 2;
    errors: string[];
}

export function exitCodeOf(result: PlanResult): 0 | 1 {
    return mandatoryViolations(result).length > 0 ? 1 : 0;
}

function countViolations(violations: readonly Violation[]): ViolationCounts {
    const byLevel: Record<string, number> = {}, byPolicy: Record<string, number> = {};
    for (const v of violations) {
        byLevel[v.enforcementLevel] = (byLevel[v.enforcementLevel] ?? 0) + 1;
        byPolicy[v.policy] = (byPolicy[v.policy] ?? 0) + 1;
    }
    return { total: violations.length, byLevel, byPolicy };
}

/** A violation's team: its resource's chargeback tag, else a stack message naming a known team ("team x: ..."). */
function violationTeams(result: PlanResult): (v: Violation) => string | undefined {
    const byUrn = new Map(result.resources.map((r) => [r.urn, r]));
    const known = new Set(Object.keys(result.cost.byTeam));
    const lineTeams = new Map(result.cost.lines.map((l) => [l.urn, l.team]));
    return (v) => {
        const r = v.urn ? byUrn.get(v.urn) : undefined;
        // A priced resource's line already carries its team as the tag resolver sees it (provider default tags included).
        const tagged = (v.urn ? lineTeams.get(v.urn) : undefined) ?? (r && r.type.includes(":") ? teamOf({ urn: r.urn, type: r.type, props: r.inputs }) : undefined);
        if (tagged && known.has(tagged)) return tagged;
        const named = /^team (\S+?):/.exec(v.message)?.[1];
        return named && known.has(named) ? named : undefined;
    };
}

export interface JsonOptions {
    /** Keep every resource's inputs (default true; `--no-inputs` drops them, most of the report's size). */
    inputs?: boolean;
    diff?: PlanDiff;
}

export function toReport(result: PlanResult, opts: JsonOptions = {}): PlanReport {
    const exitCode = exitCodeOf(result);
    const teamOfViolation = violationTeams(result);
    const savings = savingsReport(result.cost);
    const c = result.cost;
    return {
        schemaVersion: SCHEMA_VERSION,
        project: result.project,
        stack: result.stack,
        environment: result.environment,
        status: exitCode === 0 ? "pass" : "fail",
        exitCode,
        ...(opts.diff ? { diff: opts.diff } : {}),
        policyConfigFile: path.relative(PROJECT_DIR, result.policyConfigFile).startsWith("..") ? result.policyConfigFile : path.relative(PROJECT_DIR, result.policyConfigFile),
        violationCounts: countViolations(result.violations),
        violations: result.violations.map((v) => {
            const team = teamOfViolation(v);
            return { policy: v.policy, enforcementLevel: v.enforcementLevel, ...(v.urn ? { urn: v.urn } : {}), ...(team ? { team } : {}), message: v.message };
        }),
        remediations: result.remediations,
        cost: {
            currency: c.currency,
            region: c.region,
            pricesAsOf: c.pricesAsOf,
            monthly: c.monthly,
            budget: result.environmentBudget,
            naiveBaseline: savings.naiveBaseline,
            savings: savings.savings,
            byTeam: Object.fromEntries(Object.entries(c.byTeam).map(([team, t]) => [team, { ...t, ...savings.byTeam[team] }])),
            lines: c.lines,
            unpriced: c.lines.filter((l) => l.unpriced).map((l) => ({ urn: l.urn, team: l.team, description: l.description, reason: l.unpriced! })),
            warnings: c.warnings,
            notEstimated: c.notEstimated,
        },
        resources: result.resources.map((r) => (opts.inputs === false ? { urn: r.urn, type: r.type, name: r.name, ...(r.parent ? { parent: r.parent } : {}) } : r)),
    };
}

export function errorReport(errors: string[], stack?: string): ErrorReport {
    return { schemaVersion: SCHEMA_VERSION, ...(stack ? { stack } : {}), status: "error", exitCode: 2, errors };
}
