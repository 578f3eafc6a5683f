import { formatUsd as usd } from "../components/catalog";
import { Range } from "../lib/cost";
import { LineChange, LineRef, PlanDiff, RangeChange } from "./diff";
import { Block } from "./markdownBudget";
import { ReportViolation } from "./reportJson";

/** How the diff against a baseline reads in the text and Markdown reports: it comes first in both. */

const KEYS = ["min", "expected", "max"] as const;

export function signedUsd(n: number): string {
    return n > 0 ? `+${usd(n)}` : n < 0 ? `-${usd(-n)}` : usd(0);
}

const changeCell = (c: RangeChange, k: keyof Range) => `${usd(c.before[k])} → ${usd(c.after[k])} (${signedUsd(c.delta[k])})`;
const changed = (c: RangeChange) => KEYS.some((k) => c.delta[k] !== 0);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Teams whose figures moved, then the total: the rows a reviewer reads first. */
function teamRows(diff: PlanDiff): [string, RangeChange][] {
    return Object.entries(diff.byTeam).filter(([, c]) => changed(c)).sort(([a, x], [b, y]) => Math.abs(y.delta.max) - Math.abs(x.delta.max) || a.localeCompare(b));
}

export function diffHeadline(diff: PlanDiff): string {
    const d = diff.monthly.delta;
    const v = diff.violations;
    return `Against the baseline: ${signedUsd(d.expected)}/month expected, ${signedUsd(d.max)}/month at max · `
        + `${plural(diff.lines.added.length, "line")} added, ${diff.lines.removed.length} removed, ${diff.lines.changed.length} changed · `
        + `violations: ${v.new.length} new, ${v.fixed.length} fixed, ${v.unchanged.length} unchanged`;
}

const short = (v: unknown) => {
    const s = v === undefined ? "(none)" : JSON.stringify(v);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

export function inputsText(l: LineChange): string {
    if (!l.inputs) return "inputs not compared (a report without inputs)";
    if (l.inputs.length === 0) return "no input of this resource changed: the price moved with a resource it uses (e.g. its launch template) or with the catalog";
    const shown = l.inputs.slice(0, 6).map((c) => `${c.path}: ${short(c.before)} → ${short(c.after)}`);
    return shown.join("; ") + (l.inputs.length > 6 ? `; and ${l.inputs.length - 6} more` : "");
}

const violationText = (v: ReportViolation) => `[${v.enforcementLevel}] ${v.policy}: ${v.message}`;

export function diffText(diff: PlanDiff, pad: (rows: string[][]) => string[]): string[] {
    const out = [diffHeadline(diff), ""];
    const rows = [["team", "min", "expected", "max"]];
    for (const [team, c] of teamRows(diff)) rows.push([team, ...KEYS.map((k) => changeCell(c, k))]);
    rows.push(["total", ...KEYS.map((k) => changeCell(diff.monthly, k))]);
    out.push(...pad(rows).map((l) => `  ${l}`), "");
    const lineRef = (sign: string) => (l: LineRef) => `  ${sign} ${l.team}: ${l.description} (${usd(l.monthly.max)} max)`;
    out.push(...diff.lines.added.map(lineRef("+")), ...diff.lines.removed.map(lineRef("-")));
    for (const l of diff.lines.changed) {
        out.push(`  ~ ${l.team}: ${l.after.description} (${signedUsd(l.delta.expected)} expected, ${signedUsd(l.delta.max)} max)`, `      ${inputsText(l)}`);
    }
    out.push(...diff.violations.new.map((v) => `  new   ${violationText(v)}`), ...diff.violations.fixed.map((v) => `  fixed ${violationText(v)}`));
    return [...out, ""];
}

const md = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
const resource = (urn: string | undefined) => (urn ? `\`${md(urn.split("::").pop() ?? urn)}\`` : "stack");

export function diffMarkdown(diff: PlanDiff): Block[] {
    const blocks: Block[] = [[
        "#### Change against the baseline", "",
        `**${md(diffHeadline(diff))}**`, "",
        "| team | min | expected | max |", "| --- | ---: | ---: | ---: |",
    ]];
    blocks.push({
        head: [], rows: teamRows(diff).map(([team, c]) => `| ${md(team)} | ${KEYS.map((k) => changeCell(c, k)).join(" | ")} |`),
        tail: [`| **total** | ${KEYS.map((k) => `**${changeCell(diff.monthly, k)}**`).join(" | ")} |`, ""],
        more: (n) => `| … ${n} more teams changed | | | |`,
    });
    const lineRows = [
        ...diff.lines.changed.map((l) => `| changed | ${md(l.team)} | ${md(l.after.description)}<br>${md(inputsText(l))} | ${signedUsd(l.delta.expected)} | ${signedUsd(l.delta.max)} |`),
        ...diff.lines.added.map((l) => `| added | ${md(l.team)} | ${md(l.description)} | ${signedUsd(l.monthly.expected)} | ${signedUsd(l.monthly.max)} |`),
        ...diff.lines.removed.map((l) => `| removed | ${md(l.team)} | ${md(l.description)} | ${signedUsd(-l.monthly.expected)} | ${signedUsd(-l.monthly.max)} |`),
    ];
    if (lineRows.length > 0) {
        blocks.push({
            head: [`<details><summary>Cost lines: ${diff.lines.added.length} added, ${diff.lines.removed.length} removed, ${diff.lines.changed.length} changed (${diff.lines.unchanged} unchanged)</summary>`, "",
                "| change | team | item | Δ expected | Δ max |", "| --- | --- | --- | ---: | ---: |"],
            rows: lineRows, tail: ["", "</details>", ""], more: (n) => `| … | | ${n} more changed lines not shown (see the JSON report) | | |`,
        });
    }
    const v = diff.violations;
    const violationRows = [
        ...v.new.map((x) => `| **new** | ${x.enforcementLevel} | \`${x.policy}\` | ${resource(x.urn)} | ${md(x.message)} |`),
        ...v.fixed.map((x) => `| fixed | ${x.enforcementLevel} | \`${x.policy}\` | ${resource(x.urn)} | ${md(x.message)} |`),
    ];
    if (violationRows.length > 0) {
        blocks.push({
            head: [`<details${v.new.length > 0 ? " open" : ""}><summary>Policy violations: ${v.new.length} new, ${v.fixed.length} fixed, ${v.unchanged.length} unchanged</summary>`, "",
                "| change | level | policy | resource | message |", "| --- | --- | --- | --- | --- |"],
            rows: violationRows, tail: ["", "</details>", ""], more: (n) => `| … | | | | ${n} more violation changes not shown (see the JSON report) |`,
        });
    }
    return blocks;
}
