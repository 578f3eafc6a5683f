import { formatUsd as usd } from "../components/catalog";
import { CostLine, Range } from "./cost";
import { mandatoryViolations, PlanResult } from "./plan";

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

function verdict(result: PlanResult): string {
    const mandatory = mandatoryViolations(result).length;
    return mandatory > 0 ? `FAIL: ${mandatory} mandatory policy violation${mandatory === 1 ? "" : "s"}` : "PASS: no mandatory policy violation";
}

/** The structure the plan's contract promises (`--json`). */
export function toJson(result: PlanResult): object {
    return {
        stack: result.stack,
        environment: result.environment,
        resources: result.resources,
        violations: result.violations.map(({ policy, enforcementLevel, urn, message }) => ({ policy, enforcementLevel, urn, message })),
        remediations: result.remediations,
        cost: {
            currency: result.cost.currency,
            region: result.cost.region,
            pricesAsOf: result.cost.pricesAsOf,
            monthly: result.cost.monthly,
            budget: result.environmentBudget,
            byTeam: result.cost.byTeam,
            lines: result.cost.lines,
            warnings: result.cost.warnings,
            notEstimated: result.cost.notEstimated,
        },
    };
}

export function toText(result: PlanResult): string {
    const out: string[] = [];
    const c = result.cost;
    out.push(`ai-infra plan · stack ${result.stack} · environment ${result.environment} · ${c.region} · ${(result.elapsedMs / 1000).toFixed(1)} s`);
    out.push(`${result.resources.length} resources · ${result.policyChecks} policy checks (${result.policyConfigFile.split("/").slice(-3).join("/")})`);
    for (const n of result.notes ?? []) out.push(`note: ${n}`);
    out.push("");
    out.push(`Monthly cost (${c.currency}, catalog prices as of ${c.pricesAsOf})`);
    const summary = [["team", "min", "expected", "max", "budget"]];
    for (const team of teams(result)) {
        const t = c.byTeam[team];
        summary.push([team, ...rangeCells(t), t.budget !== undefined ? usd(t.budget) : "-"]);
    }
    summary.push(["total", ...rangeCells(c.monthly), usd(result.environmentBudget)]);
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
    out.push("", verdict(result));
    return out.join("\n");
}

const md = (s: string) => s.replace(/\|/g, "\\|");

/** A pull-request comment; the first line marks it so CI can update one sticky comment per stack. */
export function toMarkdown(result: PlanResult): string {
    const c = result.cost;
    const out: string[] = [`<!-- ai-infra-plan:${result.stack} -->`];
    const mandatory = mandatoryViolations(result).length;
    out.push(`### ${mandatory > 0 ? "❌" : "✅"} ai-infra plan: \`${result.stack}\` (${result.environment}, ${c.region})`, "");
    out.push(`${verdict(result)} · ${result.resources.length} resources · ${result.policyChecks} policy checks`, "");
    for (const n of result.notes ?? []) out.push(`> ℹ️ ${md(n)}`, "");
    out.push(`#### Monthly cost (${c.currency}, prices as of ${c.pricesAsOf})`, "");
    out.push("| team | min | expected | max | budget |", "| --- | ---: | ---: | ---: | ---: |");
    for (const team of teams(result)) {
        const t = c.byTeam[team];
        const over = t.budget !== undefined && t.max > t.budget ? " ⚠️" : "";
        out.push(`| ${md(team)} | ${rangeCells(t).join(" | ")} | ${t.budget !== undefined ? usd(t.budget) : "-"}${over} |`);
    }
    out.push(`| **total** | ${rangeCells(c.monthly).map((x) => `**${x}**`).join(" | ")} | ${usd(result.environmentBudget)} |`, "");
    out.push("<details><summary>Cost lines</summary>", "", "| team | item | min | expected | max |", "| --- | --- | ---: | ---: | ---: |");
    for (const team of teams(result)) {
        for (const l of linesOf(result, team)) {
            out.push(`| ${md(team)} | ${md(describeLine(l))}${l.unpriced ? ` **(not priced: ${md(l.unpriced)})**` : ""} | ${rangeCells(l.monthly).join(" | ")} |`);
        }
    }
    out.push("", `Not estimated: ${c.notEstimated.join("; ")}.`, "", "</details>", "");
    for (const w of c.warnings) out.push(`> ⚠️ ${md(w)}`);
    if (result.violations.length > 0) {
        out.push("#### Policy violations", "", "| level | policy | resource | message |", "| --- | --- | --- | --- |");
        for (const v of result.violations) {
            out.push(`| ${v.enforcementLevel} | \`${v.policy}\` | ${v.urn ? `\`${md(v.urn.split("::").pop() ?? v.urn)}\`` : "stack"} | ${md(v.message)} |`);
        }
    } else {
        out.push("No policy violations.");
    }
    return out.join("\n") + "\n";
}
