/**
 * Chargeback tag keys: the one place that names them. AWS split cost allocation for EKS, the team
 * budgets' `TagKeyValue` filters and the `chargeback-tags` policy all key on these exact strings.
 */

export const TAG_KEYS = {
    team: "team",
    costCenter: "cost-center",
    environment: "environment",
    owner: "owner",
    managedBy: "managed-by",
} as const;

export const REQUIRED_TAG_KEYS: readonly string[] = Object.values(TAG_KEYS);

export const MANAGED_BY = "pulumi";

/** The team that owns shared resources (cluster, network, gateway, cache). */
export const PLATFORM_TEAM = "platform";

/** Prefix of the Kubernetes labels that mirror the tags (`ai-infra/team`, ...). */
export const LABEL_PREFIX = "ai-infra/";

export interface Chargeback {
    team: string;
    costCenter: string;
    environment: string;
    owner: string;
}

export type Tags = Record<string, string>;

/** A team's chargeback identity in an environment: its id, cost center and owner. */
export function teamChargeback(team: { id: string; costCenter: string; owner: string }, environment: string): Chargeback {
    return { team: team.id, costCenter: team.costCenter, environment, owner: team.owner };
}

export function chargebackTags(c: Chargeback): Tags {
    return {
        [TAG_KEYS.team]: c.team,
        [TAG_KEYS.costCenter]: c.costCenter,
        [TAG_KEYS.environment]: c.environment,
        [TAG_KEYS.owner]: c.owner,
        [TAG_KEYS.managedBy]: MANAGED_BY,
    };
}

/**
 * Kubernetes label values allow `[A-Za-z0-9._-]` only, so an owner e-mail is written with `_at_`;
 * the AWS tag keeps the address as is.
 */
export function chargebackLabels(c: Chargeback): Record<string, string> {
    const tags = chargebackTags(c);
    const labels: Record<string, string> = {};
    for (const [key, value] of Object.entries(tags)) {
        labels[`${LABEL_PREFIX}${key}`] = toLabelValue(value);
    }
    return labels;
}

export function toLabelValue(value: string): string {
    const cleaned = value.replace("@", "_at_").replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 63);
    return cleaned.replace(/^[^A-Za-z0-9]+/, "").replace(/[^A-Za-z0-9]+$/, "");
}
