import { StackValidationPolicy } from "@pulumi/policy";
import { resolveTeam, UNKNOWN_TAG_VALUE } from "../components/tagResolution";
import { PLATFORM_TEAM } from "../components/tags";
import { BUDGET_TYPE, budgetTeam } from "./budgetPolicies";
import { isRecord } from "./common";
import { POLICY_CONFIG_HINT } from "./gpuQuota";

export const CHARGEBACK_TEAMS = "chargeback-teams";

/**
 * A team is declared once: by the stack, which gives it an AWS budget filtered on its team tag. A `team`
 * tag (or team label) must name such a team, `platform`, or a team the platform lists in `knownTeams`
 * (for teams that own no budget in this stack). A stack policy, because only the whole stack shows which
 * teams it budgets; without `knownTeams` configured any team name is accepted.
 */
export const chargebackTeams: StackValidationPolicy = {
    name: CHARGEBACK_TEAMS,
    description: "Every team named in a team tag or label is one the stack budgets, the platform, or listed in knownTeams.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            knownTeams: { type: "array", items: { type: "string" }, description: "Teams accepted besides `platform` and the teams this stack budgets; absent: any team." },
        },
    },
    validateStack: (args, report) => {
        const known = args.getConfig<{ knownTeams?: unknown }>().knownTeams;
        if (!Array.isArray(known)) return;
        const allowed = new Set<string>([PLATFORM_TEAM, ...known.filter((t): t is string => typeof t === "string")]);
        for (const r of args.resources) {
            if (r.type !== BUDGET_TYPE || !isRecord(r.props)) continue;
            const team = budgetTeam(r.props);
            if (team) allowed.add(team);
        }
        const strangers = new Map<string, { urn: string; names: string[] }>();
        for (const r of args.resources) {
            const team = resolveTeam(r.props, r.provider?.props, r.type);
            if (team === undefined || team === UNKNOWN_TAG_VALUE || allowed.has(team)) continue;
            const entry = strangers.get(team) ?? { urn: r.urn, names: [] };
            entry.names.push(`${r.type} "${r.name}"`);
            strangers.set(team, entry);
        }
        for (const [team, { urn, names }] of strangers) {
            const shown = names.slice(0, 3).join(", ") + (names.length > 3 ? ` and ${names.length - 3} more` : "");
            report(`team "${team}" (on ${shown}) is not a team of this stack: no aws:budgets/budget:Budget is filtered on user:team$${team}. `
                + `Declare the team in the stack with its budget (in ai-infra: ai-infra:teams.${team} in stacks/Pulumi.<stack>.yaml), `
                + `or add it to chargeback-teams.knownTeams in ${POLICY_CONFIG_HINT}; known: ${[...allowed].sort().join(", ")}`, urn);
        }
    },
};
