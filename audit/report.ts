import { formatUsd } from "../components/catalog";
import { CleanupAction } from "./cleanup";
import { AuditResult } from "./run";

const usd = (n: number | undefined) => (n === undefined ? "not priced" : formatUsd(n));
const pct = (n: number | undefined) => (n === undefined ? "-" : `${n.toFixed(1)} %`);

export function auditJson(result: AuditResult, actions: CleanupAction[]): object {
    return { ...result, actions };
}

/** Clean-up or restore actions, each with its outcome and undo. */
export function actionsText(actions: CleanupAction[], apply: boolean, title = "Clean-up"): string {
    const out = [`${title} (${apply ? "applied where possible" : "dry run: add --yes to apply"})`];
    if (actions.length === 0) out.push("  nothing to do");
    for (const a of actions) out.push(`  ${a.status}: ${a.action}: ${a.resource}${a.reason ? ` (${a.reason})` : ""}; undo: ${a.undo}`);
    const failed = actions.filter((a) => a.status === "failed");
    if (failed.length > 0) out.push(`  ${failed.length} action(s) failed; those applied are listed above with their undo`);
    return out.join("\n");
}

export function auditText(r: AuditResult, actions: CleanupAction[], apply = actions.some((a) => a.status === "applied" || a.status === "failed")): string {
    const out: string[] = [`ai-infra audit · stack ${r.stack} · ${r.environment} · ${r.region} · cluster ${r.cluster} · last ${r.period.days} days${r.status === "partial" ? " · PARTIAL" : ""}`, ""];
    out.push("Per team (monthly; saving = the best single recommendation per group)");
    for (const t of Object.keys(r.byTeam).sort()) out.push(`  ${t.padEnd(16)} waste ${usd(r.byTeam[t].monthlyWasteUsd).padStart(12)} · possible saving ${usd(r.byTeam[t].monthlySavingUsd).padStart(12)} · ${r.byTeam[t].findings} finding(s)`);
    out.push("", `Findings (${r.findings.length})`);
    for (const f of r.findings) out.push(`  [${f.kind}] ${f.team}: ${f.resource}: ${f.evidence.metric} over ${f.evidence.period} = ${f.evidence.value}${f.kind === "detached-persistent-volume" || f.kind === "missing-chargeback-tags" ? "" : `; wastes ${usd(f.monthlyWasteUsd)}/month`}. ${f.detail}`);
    out.push("", "GPU node groups (hourly data; peaks are hourly Maximum of any node; cost at the node-hours run)");
    out.push("  group            team         verdict                GPU p50/p95 (mean)  GPU peak  mem peak  node-hours  avg nodes  peak  demand GPUs  cost/month");
    for (const u of r.usage) {
        out.push(`  ${u.name.padEnd(16)} ${u.team.padEnd(12)} ${u.verdict.kind.padEnd(22)} ${[u.gpu?.p50, u.gpu?.p95].map(pct).join(" / ").padEnd(19)} ${pct(u.peakGpuUtilization).padStart(8)}  ${pct(u.peakGpuMemory).padStart(8)}  ${String(u.nodeHours).padStart(10)}  ${u.averageNodes.toFixed(2).padStart(9)}  ${String(u.peakNodes).padStart(4)}  ${String(u.demandGpus).padStart(11)}  ${usd(u.monthlyCostUsd).padStart(10)}`);
        out.push(`    ${u.verdict.kind}: ${u.verdict.rule}`);
    }
    out.push("", `Recommendations (${r.recommendations.length})`);
    for (const rec of r.recommendations) {
        out.push(`  [${rec.kind}] ${rec.team}/${rec.nodeGroup}: ${rec.detail}; saves ${usd(rec.monthlySavingUsd)}/month${rec.maxScaleReductionUsd ? `, ${usd(rec.maxScaleReductionUsd)} less at max scale` : ""}`);
    }
    if (r.unknown.length > 0) {
        out.push("", `Unknown (${r.unknown.length}): not judged, never called idle`);
        for (const u of r.unknown) out.push(`  ${u.resource}: ${u.reason}`);
    }
    if (r.unaudited.length > 0) {
        out.push("", `Not audited (${r.unaudited.length}): the report above is partial`);
        for (const u of r.unaudited) out.push(`  ${u.check}: ${u.reason}`);
    }
    if (actions.length > 0) out.push("", actionsText(actions, apply));
    return out.join("\n");
}

export function auditMarkdown(r: AuditResult, actions: CleanupAction[]): string {
    const out: string[] = [`### ai-infra audit: \`${r.stack}\` (${r.environment}, last ${r.period.days} days${r.status === "partial" ? ", partial" : ""})`, "", "| team | monthly waste | possible saving | findings |", "| --- | ---: | ---: | ---: |"];
    for (const [t, v] of Object.entries(r.byTeam).sort()) out.push(`| ${t} | ${usd(v.monthlyWasteUsd)} | ${usd(v.monthlySavingUsd)} | ${v.findings} |`);
    out.push("", "| kind | team | resource | evidence | waste / month |", "| --- | --- | --- | --- | ---: |");
    for (const f of r.findings) out.push(`| ${f.kind} | ${f.team} | ${f.resource} | ${f.evidence.metric} over ${f.evidence.period}: ${f.evidence.value} | ${usd(f.monthlyWasteUsd)} |`);
    out.push("", "| group | verdict | rule |", "| --- | --- | --- |");
    for (const u of r.usage) out.push(`| ${u.name} | ${u.verdict.kind} | ${u.verdict.rule} |`);
    out.push("", "| recommendation | team | group | detail | saving / month |", "| --- | --- | --- | --- | ---: |");
    for (const rec of r.recommendations) out.push(`| ${rec.kind} | ${rec.team} | ${rec.nodeGroup} | ${rec.detail} | ${usd(rec.monthlySavingUsd)} |`);
    if (r.unaudited.length > 0) out.push("", "**Not audited:**", ...r.unaudited.map((u) => `- ${u.check}: ${u.reason}`));
    if (r.unknown.length > 0) out.push("", "**Unknown (not judged):**", ...r.unknown.map((u) => `- ${u.resource}: ${u.reason}`));
    if (actions.length > 0) out.push("", ...actions.map((a) => `- ${a.status}: ${a.action}: ${a.resource}${a.reason ? ` (${a.reason})` : ""} (undo: ${a.undo})`));
    return out.join("\n") + "\n";
}
