import * as path from "path";

/**
 * A policy config names the environment it judges (`chargeback-tags.environment`, ...). Given another
 * environment's file (`npm run plan -- dev --policy-config policies/config/prod.json`), every resource would
 * fail `environment` on its own; that is one mistake in the command, so it is reported once, as such.
 */
export function policyEnvironmentMismatch(file: unknown, policyConfigFile: string, stack: string, environment: string, projectDir: string): string | undefined {
    if (file === null || typeof file !== "object" || Array.isArray(file)) return undefined;
    const byEnvironment = new Map<string, string[]>();
    for (const [policy, settings] of Object.entries(file as Record<string, unknown>)) {
        const env = settings !== null && typeof settings === "object" ? (settings as Record<string, unknown>).environment : undefined;
        if (typeof env === "string") byEnvironment.set(env, [...(byEnvironment.get(env) ?? []), policy]);
    }
    // The file is another environment's when every policy that names one names the same other one. A file
    // mixing environments is a deliberate edit: its policies judge each resource as configured.
    if (byEnvironment.size !== 1 || byEnvironment.has(environment)) return undefined;
    const others = [...byEnvironment].map(([env, policies]) => `${env} (${policies.join(", ")})`).join("; ");
    const own = path.join(projectDir, "policies", "config", `${environment}.json`);
    return `${policyConfigFile}: this policy config is for environment ${others}, but stack ${stack} is environment ${environment}: `
        + `use ${path.relative(projectDir, own)}, or set "environment": "${environment}" in the file`;
}
