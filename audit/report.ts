import { formatUsd } from "../components/catalog";
import { CleanupAction } from "./cleanup";
import { AuditResult } from "./run";

const usd = (n: number | undefined) => (n === undefined ? "not priced" : formatUsd(n));
const pct = (n: number | undefined) => (n === undefined ? "-" : `${n.toFixed(1)} %`);

export function auditJson(result: AuditResult, actions: CleanupAction[]): object {
    return { ...result, actions };
}

export function auditText(r: AuditResult, actions: CleanupAction[]): string {
    const out: string[] = [`ai-infra audit · stack ${r.stack} · ${r.environment} · ${r.region} · cluster ${r.cluster} · last ${r.period.days} days`, ""];
    const teams = Object.keys(r.byTeam).sort();
    out.push("Per team (monthly)");
    for (const t of teams) out.push(`  ${t.padEnd(16)} waste ${usd(r.byTeam[t].monthlyWasteUsd).padStart(12)} · possible saving ${usd(r.byTeam[t].monthlySavingUsd).padStart(12)} · ${r.byTeam[t].findings} finding(s)`);
    out.push("", `Findings (${r.findings.length})`);
    for (const f of r.findings) out.push(`  [${f.kind}] ${f.team}: ${f.resource}: ${f.evidence.metric} over ${f.evidence.period} = ${f.evidence.value}; wastes ${usd(f.monthlyWasteUsd)}/month. ${f.detail}`);
    out.push("", "GPU node groups (hourly averages over the period)");
    out.push("  group            team         GPU p50/p95/max          GPU mem p50/p95/max      peak nodes  demand GPUs");
    for (const u of r.usage) {
        out.push(`  ${u.name.padEnd(16)} ${u.team.padEnd(12)} ${[u.gpu?.p50, u.gpu?.p95, u.gpu?.max].map(pct).join(" / ").padEnd(24)} ${[u.gpuMemory?.p50, u.gpuMemory?.p95, u.gpuMemory?.max].map(pct).join(" / ").padEnd(24)} ${String(u.peakNodes).padStart(10)}  ${String(u.demandGpus).padStart(11)}`);
    }
    out.push("", `Recommendations (${r.recommendations.length})`);
    for (const rec of r.recommendations) {
        out.push(`  [${rec.kind}] ${rec.team}/${rec.nodeGroup}: ${rec.detail}; saves ${usd(rec.monthlySavingUsd)}/month${rec.maxScaleReductionUsd ? `, ${usd(rec.maxScaleReductionUsd)} less at max scale` : ""}`);
    }
    if (actions.length > 0) {
        out.push("", `Clean-up (${actions.every((a) => a.applied) ? "applied" : "dry run: add --yes to apply"})`);
        for (const a of actions) out.push(`  ${a.applied ? "done" : "would"}: ${a.action}: ${a.resource} (undo: ${a.undo})`);
    }
    return out.join("\n");
}

export function auditMarkdown(r: AuditResult, actions: CleanupAction[]): string {
    const out: string[] = [`### ai-infra audit: \`${r.stack}\` (${r.environment}, last ${r.period.days} days)`, "", "| team | monthly waste | possible saving | findings |", "| --- | ---: | ---: | ---: |"];
    for (const [t, v] of Object.entries(r.byTeam).sort()) out.push(`| ${t} | ${usd(v.monthlyWasteUsd)} | ${usd(v.monthlySavingUsd)} | ${v.findings} |`);
    out.push("", "| kind | team | resource | evidence | waste / month |", "| --- | --- | --- | --- | ---: |");
    for (const f of r.findings) out.push(`| ${f.kind} | ${f.team} | ${f.resource} | ${f.evidence.metric} over ${f.evidence.period}: ${f.evidence.value} | ${usd(f.monthlyWasteUsd)} |`);
    out.push("", "| recommendation | team | group | detail | saving / month |", "| --- | --- | --- | --- | ---: |");
    for (const rec of r.recommendations) out.push(`| ${rec.kind} | ${rec.team} | ${rec.nodeGroup} | ${rec.detail} | ${usd(rec.monthlySavingUsd)} |`);
    if (actions.length > 0) out.push("", ...actions.map((a) => `- ${a.applied ? "done" : "would"}: ${a.action}: ${a.resource} (undo: ${a.undo})`));
    return out.join("\n") + "\n";
}
