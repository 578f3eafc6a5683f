import { Policy } from "@pulumi/policy";

/**
 * The Pulumi CLI forwards only each policy's configSchema `properties` and `required` (@pulumi/policy
 * 1.21.0 protoutil.js:92-96; the engine validates against `{type: object, properties, required}`,
 * pulumi/pulumi pkg/resource/analyzer/config.go `convertSchema`), so a misspelt optional key such as
 * `maxGpusPerTeams` would pass `pulumi preview` and silently leave the default in force. Each policy
 * therefore checks the keys it is given (getConfig returns every key of its entry but enforcementLevel,
 * server.js:448-459) and fails loudly on one it does not declare: the CLI reports the throw as an error
 * of that policy and the preview fails.
 *
 * What the policies cannot see: an unknown *policy name* in the config file (each policy sees only its
 * own entry). Only the offline plan catches those.
 */

/** Keys earlier versions of the pack declared, with where their meaning went. */
export const MOVED_CONFIG_KEYS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
    "chargeback-tags": { knownTeams: "moved to chargeback-teams.knownTeams (a team the stack budgets needs no entry)" },
    "cost-within-budget": { region: "no longer read: each resource is priced in its provider's region (aws:region), never the policy config's" },
};

export class PolicyConfigKeyError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PolicyConfigKeyError";
    }
}

/** Problems with the keys a policy was configured with; [] when all are declared. */
export function unknownConfigKeys(policy: Policy, config: object): string[] {
    const declared = Object.keys((policy.configSchema?.properties ?? {}) as object);
    const problems: string[] = [];
    for (const key of Object.keys(config)) {
        if (declared.includes(key)) continue;
        const moved = MOVED_CONFIG_KEYS[policy.name]?.[key];
        problems.push(`"${policy.name}.${key}" is not a setting of this policy${moved ? `: ${moved}` : ""}; it takes ${declared.join(", ") || "only enforcementLevel"}`);
    }
    return problems;
}

function assertKnownKeys(policy: Policy, config: object): void {
    const problems = unknownConfigKeys(policy, config);
    if (problems.length > 0) throw new PolicyConfigKeyError(`invalid policy pack config: ${problems.join("; ")}`);
}

type Validation<A> = (args: A, report: never) => unknown;

function wrap<A extends { getConfig: () => object }>(policy: Policy, v: Validation<A>): Validation<A> {
    // A policy's config is the same for every resource of a run: a key set found valid is not checked again.
    let valid: string | undefined;
    return (args, report) => {
        const config = args.getConfig();
        const keys = Object.keys(config).join("\0");
        if (keys !== valid) {
            assertKnownKeys(policy, config);
            valid = keys;
        }
        return v(args, report);
    };
}

/** The same policy, checking its config keys before each validation or remediation. */
export function withConfigKeyCheck<P extends Policy>(policy: P): P {
    const p = policy as P & { validateResource?: unknown; validateStack?: unknown; remediateResource?: unknown };
    const out = { ...p } as Record<string, unknown>;
    if (typeof p.validateResource === "function") out.validateResource = wrap(p, p.validateResource as Validation<{ getConfig: () => object }>);
    else if (Array.isArray(p.validateResource)) out.validateResource = p.validateResource.map((v) => wrap(p, v as Validation<{ getConfig: () => object }>));
    if (typeof p.validateStack === "function") out.validateStack = wrap(p, p.validateStack as Validation<{ getConfig: () => object }>);
    if (typeof p.remediateResource === "function") out.remediateResource = wrap(p, p.remediateResource as Validation<{ getConfig: () => object }>);
    return out as P;
}
