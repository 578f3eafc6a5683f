import * as pulumi from "@pulumi/pulumi";

/**
 * Explicit physical names of account- or region-wide resources (budgets, anomaly monitors, SNS topics,
 * alarms, dashboards, Secrets Manager secrets, snapshots) must differ between stacks: two stacks of one
 * environment in one account (dev and dev-eu) would otherwise claim the same budget or overwrite each
 * other's alarms. Every such name starts from a stack-scoped prefix made here.
 *
 * Changing a physical name replaces the resource at the next `pulumi up` (its URN is unchanged, so no
 * alias applies): see README "Names that never collide between stacks".
 */

/**
 * ai-infra's own prefix: `ai-<stack>`. For the bundled stacks (dev, staging, prod, whose names are their
 * environments) these are the names they were first deployed with, so nothing is replaced.
 */
export function platformNamePrefix(stack: string = pulumi.getStack()): string {
    return `ai-${nameSafe(stack)}`;
}

/**
 * A component's default when its caller gives no prefix: `<project>-<stack>`, unique per program and stack,
 * so a team's own program never takes the platform's names.
 */
export function defaultNamePrefix(project: string = pulumi.getProject(), stack: string = pulumi.getStack()): string {
    return `${nameSafe(project)}-${nameSafe(stack)}`;
}

/** A path-like name scoped to the program and stack: `<project>/<stack>/<rest>` (ai-infra/dev/gateway-tokens). */
export function projectStackPath(rest: string, project: string = pulumi.getProject(), stack: string = pulumi.getStack()): string {
    return `${nameSafe(project)}/${nameSafe(stack)}/${rest}`;
}

/** Secrets Manager path of a gateway team key: `<project>/<stack>/gateway/<team>` (ai-infra/dev/gateway/search). */
export function gatewayKeySecretName(team: string, project: string = pulumi.getProject(), stack: string = pulumi.getStack()): string {
    return projectStackPath(`gateway/${team}`, project, stack);
}

/** Stack and project names may hold `.` and `_`, which some AWS names refuse: keep letters, digits and `-`. */
function nameSafe(part: string): string {
    return part.replace(/[^A-Za-z0-9-]/g, "-");
}
