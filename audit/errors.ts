/** Errors the audit explains instead of dumping a stack trace. */
export class AuditError extends Error {
    constructor(message: string, readonly exitCode = 2) {
        super(message);
        this.name = "AuditError";
    }
}

const IAM_PREFIX: Readonly<Record<string, string>> = { eks: "eks", cloudwatch: "cloudwatch", elasticache: "elasticache", tagging: "tag", ec2: "ec2" };

/** `ListNodegroupsCommand` on the `eks` client needs `eks:ListNodegroups`. */
export function iamAction(service: string, command: string): string {
    return `${IAM_PREFIX[service] ?? service}:${command.replace(/Command$/, "")}`;
}

/**
 * Turn an SDK failure into an actionable message: no credentials, a missing IAM permission (named), or
 * throttling that outlasted the SDK's retries.
 */
export function explain(e: unknown, service: string, command: string): AuditError {
    const err = e as { name?: string; Code?: string; message?: string; $metadata?: { attempts?: number } };
    const name = err.name ?? err.Code ?? "";
    const action = iamAction(service, command);
    if (name === "CredentialsProviderError" || /Could not load credentials|credential/i.test(err.message ?? "") && name !== "AccessDeniedException") {
        return new AuditError("no AWS credentials found: sign in (aws sso login, AWS_PROFILE, or an assumed role) with read access to the account");
    }
    if (/AccessDenied|UnauthorizedOperation|AuthorizationError|AccessDeniedException|UnauthorizedException/.test(name)) {
        return new AuditError(`missing IAM permission ${action} (needed by ${command}): grant it to the auditing role`);
    }
    if (/Throttl|TooManyRequests|RequestLimitExceeded|Rate exceeded/i.test(name + (err.message ?? ""))) {
        return new AuditError(`AWS kept throttling ${action} after ${err.$metadata?.attempts ?? "several"} attempts: retry later or narrow --days`, 3);
    }
    return new AuditError(`${action} failed: ${name || "error"}: ${err.message ?? String(e)}`, 3);
}

/** Run one AWS call (or paginated loop), explaining its failure. */
export async function aws<T>(service: string, command: string, run: () => Promise<T>): Promise<T> {
    try {
        return await run();
    } catch (e) {
        if (e instanceof AuditError) throw e;
        throw explain(e, service, command);
    }
}
