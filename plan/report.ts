import { formatUsd as usd } from "../components/catalog";
import { CostLine, Range } from "../lib/cost";
import { PlanDiff } from "./diff";
import { diffMarkdown, diffText } from "./diffReport";
import { Block, fitMarkdown } from "./markdownBudget";
import { mandatoryViolations, PlanResult } from "./plan";
import { JsonOptions, PlanReport, toReport } from "./reportJson";
import { formatSaving, savingsReport, SavingsReport } from "./savings";

const rangeCells = (r: Range) => [usd(r.min), usd(r.expected), usd(r.max)];

function pad(rows: string[][]): string[] {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ").trimEnd());
}

function teams(result: PlanResult): string[] {
    return Object.keys(result.cost.byTeam).sort((a, b) => result.cost.byTeam[b].max - result.cost.byTeam[a].max || a.localeCompare(b));
}

interface ShownLine extends CostLine {
    count: number;
}

/** A team's lines, identical ones (three NAT gateways) folded into one row with a count. */
function linesOf(result: PlanResult, team: string): ShownLine[] {
    const rows = new Map<string, ShownLine>();
    for (const l of result.cost.lines.filter((x) => x.team === team)) {
        const key = `${l.kind}|${l.description}|${l.unpriced ?? ""}`;
        const row = rows.get(key);
        if (!row) {
            rows.set(key, { ...l, monthly: { ...l.monthly }, count: 1 });
            continue;
        }
        row.count++;
        for (const k of ["min", "expected", "max"] as const) row.monthly[k] = Math.round((row.monthly[k] + l.monthly[k]) * 100) / 100;
    }
    return [...rows.values()].sort((a, b) => b.monthly.max - a.monthly.max);
}

function describeLine(l: ShownLine): string {
    return `${l.count > 1 ? `${l.count} x ` : ""}${l.description}`;
}

/** Why lines are unpriced, the first three reasons, or undefined when every line is priced. */
function unpricedReasons(result: PlanResult): string | undefined {
    const reasons = [...new Set(result.cost.lines.filter((l) => l.unpriced).map((l) => l.unpriced!))];
    if (reasons.length === 0) return undefined;
    return reasons.slice(0, 3).join("; ") + (reasons.length > 3 ? `; and ${reasons.length - 3} more reasons` : "");
}

/** "not priced: 4 cost lines (no prices for region ap-south-1); ...", or undefined when every line is priced. */
export function unpricedSummary(result: PlanResult): string | undefined {
    const reasons = unpricedReasons(result);
    if (reasons === undefined) return undefined;
    const count = result.cost.lines.filter((l) => l.unpriced).length;
    return `not priced: ${count} cost line${count === 1 ? "" : "s"} (${reasons}); totals leave them out`;
}

function verdict(result: PlanResult): string {
    const mandatory = mandatoryViolations(result).length;
    const policy = mandatory > 0 ? `FAIL: ${mandatory} mandatory policy violation${mandatory === 1 ? "" : "s"}` : "PASS: no mandatory policy violation";
    const unpriced = unpricedSummary(result);
    return unpriced ? `${policy} · ${unpriced.replace(/^not priced/, "NOT PRICED")}` : policy;
}

const savedCells = (s: SavingsReport["byTeam"][string]) => [usd(s.naiveBaseline.monthly), formatSaving(s.savings.expected), formatSaving(s.savings.max)];

/** The structure the plan's contract promises (`--json`, plan/report.schema.json). */
export function toJson(result: PlanResult, opts: JsonOptions = {}): PlanReport {
    return toReport(result, opts);
}

export interface RenderOptions {
    diff?: PlanDiff;
}

export function toText(result: PlanResult, opts: RenderOptions = {}): string {
    const out: string[] = [];
    const c = result.cost;
    const savings = savingsReport(c);
    out.push(`ai-infra plan · stack ${result.stack} · environment ${result.environment} · ${c.region} · ${(result.elapsedMs / 1000).toFixed(1)} s`);
    out.push(`${result.resources.length} resources · ${result.policyChecks} policy checks (${result.policyConfigFile.split("/").slice(-3).join("/")})`);
    out.push(verdict(result), "");
    if (opts.diff) out.push(...diffText(opts.diff, pad));
    out.push(`Monthly cost (${c.currency}, catalog prices as of ${c.pricesAsOf}; naive = max capacity on-demand, always on)`);
    const summary = [["team", "min", "expected", "max", "budget", "naive", "saved exp", "saved max"]];
    for (const team of teams(result)) {
        const t = c.byTeam[team];
        summary.push([team, ...rangeCells(t), t.budget !== undefined ? usd(t.budget) : "-", ...savedCells(savings.byTeam[team])]);
    }
    summary.push(["total", ...rangeCells(c.monthly), usd(result.environmentBudget), ...savedCells(savings)]);
    out.push(...pad(summary).map((l) => `  ${l}`));
    for (const team of teams(result)) {
        const lines = linesOf(result, team);
        if (lines.length === 0) continue;
        out.push("", `  ${team}`);
        const rows = [["item", "min", "expected", "max"]];
        for (const l of lines) rows.push([l.unpriced ? `${describeLine(l)} (NOT PRICED: ${l.unpriced})` : describeLine(l), ...rangeCells(l.monthly)]);
        out.push(...pad(rows).map((l) => `    ${l}`));
    }
    for (const w of c.warnings) out.push(`  warning: ${w}`);
    out.push(`  not estimated: ${c.notEstimated.join("; ")}`);
    out.push("");
    if (result.violations.length === 0) out.push("Policy violations: none");
    else {
        out.push(`Policy violations (${result.violations.length})`);
        for (const v of result.violations) out.push(`  [${v.enforcementLevel}] ${v.policy}: ${v.message}`);
    }
    for (const r of result.remediations) out.push(`  [remediated] ${r.policy}: ${r.urn} (${r.changed.join(", ")})`);
    if (result.notes?.length) out.push("", ...result.notes.map((n) => `note: ${n}`));
    out.push("", verdict(result));
    return out.join("\n");
}

const md = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** A pull-request comment; the first line marks it so CI can update one sticky comment per stack. */
export function toMarkdown(result: PlanResult, opts: RenderOptions = {}): string {
    const c = result.cost;
    const savings = savingsReport(c);
    const mandatory = mandatoryViolations(result).length;
    const unpriced = unpricedSummary(result);
    const icon = mandatory > 0 ? "❌" : unpriced ? "⚠️" : "✅";
    const head = [`<!-- ai-infra-plan:${result.stack} -->`];
    const reasons = unpricedReasons(result);
    head.push(`### ${icon} ai-infra plan: \`${result.stack}\` (${result.environment}, ${c.region})${reasons ? ` · not priced: ${md(reasons)}` : ""}`, "");
    const headline = savings.savings.expected === null ? ""
        : ` · ${formatSaving(savings.savings.expected)} below the naive baseline expected, ${formatSaving(savings.savings.max)} at max`;
    head.push(`${md(verdict(result))} · ${result.resources.length} resources · ${result.policyChecks} policy checks${headline}`, "");
    if (unpriced) head.push(`> ⚠️ **${md(unpriced)}.** The figures below are not the bill.`, "");
    const blocks: Block[] = [head];
    if (opts.diff) blocks.push(...diffMarkdown(opts.diff));
    blocks.push([
        `#### Monthly cost (${c.currency}, prices as of ${c.pricesAsOf})`, "",
        "| team | min | expected | max | budget | naive baseline | saved (expected) | saved (max) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]);
    blocks.push({
        head: [],
        rows: teams(result).map((team) => {
            const t = c.byTeam[team];
            const over = t.budget !== undefined && t.max > t.budget ? " ⚠️" : "";
            return `| ${md(team)} | ${rangeCells(t).join(" | ")} | ${t.budget !== undefined ? usd(t.budget) : "-"}${over} | ${savedCells(savings.byTeam[team]).join(" | ")} |`;
        }),
        tail: [`| **total** | ${rangeCells(c.monthly).map((x) => `**${x}**`).join(" | ")} | ${usd(result.environmentBudget)} | ${savedCells(savings).map((x) => `**${x}**`).join(" | ")} |`, "",
            "Naive baseline: every node group at its maxSize on-demand at its dearest listed type, 730 h a month, plus the same shared resources.", ""],
        more: (n) => `| … ${n} more teams (see the JSON report) | | | | | | | |`,
    });
    blocks.push({
        head: ["<details><summary>Cost lines</summary>", "", "| team | item | min | expected | max |", "| --- | --- | ---: | ---: | ---: |"],
        rows: teams(result).flatMap((team) => linesOf(result, team).map((l) =>
            `| ${md(team)} | ${md(describeLine(l))}${l.unpriced ? ` **(not priced: ${md(l.unpriced)})**` : ""} | ${rangeCells(l.monthly).join(" | ")} |`)),
        tail: ["", `Not estimated: ${c.notEstimated.join("; ")}.`, "", "</details>", ""],
        more: (n) => `| … | ${n} more cost lines (see the JSON report) | | | |`,
    });
    if (c.warnings.length > 0) blocks.push([...c.warnings.map((w) => `> ⚠️ ${md(w)}`), ""]);
    if (result.notes?.length) blocks.push([...result.notes.map((n) => `> ℹ️ ${md(n)}`), ""]);
    if (result.violations.length > 0) {
        blocks.push({
            head: [`#### Policy violations (${result.violations.length})`, "", "| level | policy | resource | message |", "| --- | --- | --- | --- |"],
            rows: result.violations.map((v) => `| ${v.enforcementLevel} | \`${v.policy}\` | ${v.urn ? `\`${md(v.urn.split("::").pop() ?? v.urn)}\`` : "stack"} | ${md(v.message)} |`),
            tail: [],
            more: (n) => `| … | | | ${n} more violations (see the JSON report) |`,
        });
    } else {
        blocks.push(["No policy violations."]);
    }
    return fitMarkdown(blocks);
}
