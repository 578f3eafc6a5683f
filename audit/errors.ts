import { RETRY } from "./clients";

/**
 * What went wrong, so the audit can decide whether to go on: `permission`, `throttled` and `failed` cost one
 * check (the rest of the audit still runs and the result is partial); `credentials` and `not-found` (the
 * stack's cluster) make every later call pointless, so the run stops.
 */
export type AuditErrorKind = "usage" | "credentials" | "not-found" | "permission" | "throttled" | "failed";

/** Errors the audit explains instead of dumping a stack trace. */
export class AuditError extends Error {
    constructor(message: string, readonly exitCode = 2, readonly kind: AuditErrorKind = "usage", readonly action?: string) {
        super(message);
        this.name = "AuditError";
    }

    /** Whether the run must stop: nothing else can succeed after this. */
    get fatal(): boolean {
        return this.kind === "credentials" || this.kind === "not-found" || this.kind === "usage";
    }
}

const IAM_PREFIX: Readonly<Record<string, string>> = { eks: "eks", cloudwatch: "cloudwatch", elasticache: "elasticache", tagging: "tag", ec2: "ec2" };

/** `ListNodegroupsCommand` on the `eks` client needs `eks:ListNodegroups`. */
export function iamAction(service: string, command: string): string {
    return `${IAM_PREFIX[service] ?? service}:${command.replace(/Command$/, "")}`;
}

// Error codes of the STS/IAM signing layer, shared by every service (AWS "Common Errors" list; EC2 spells
// them its own way): an expired session is not a missing permission.
const EXPIRED = /^(ExpiredToken|ExpiredTokenException|RequestExpired|TokenRefreshRequired)$/;
const BAD_CREDENTIALS = /^(UnrecognizedClientException|InvalidClientTokenId|AuthFailure|InvalidSignatureException|SignatureDoesNotMatch)$/;

/**
 * Turn an SDK failure into an actionable message: no, expired or invalid credentials, a missing IAM
 * permission (named), throttling that outlasted the SDK's retries, or an unknown resource.
 */
export function explain(e: unknown, service: string, command: string): AuditError {
    const err = e as { name?: string; Code?: string; message?: string; $metadata?: { attempts?: number } };
    const name = err.name ?? err.Code ?? "";
    const message = err.message ?? String(e);
    const action = iamAction(service, command);
    if (EXPIRED.test(name) || /security token included in the request is expired|token has expired/i.test(message)) {
        return new AuditError(`AWS credentials have expired (${name || "expired token"} from ${action}): sign in again (aws sso login, or refresh the assumed role) and re-run`, 2, "credentials", action);
    }
    if (BAD_CREDENTIALS.test(name)) {
        return new AuditError(`AWS rejected the credentials (${name} from ${action}): check AWS_PROFILE / the access key, or sign in again`, 2, "credentials", action);
    }
    if (name === "CredentialsProviderError" || /Could not load credentials/i.test(message)) {
        return new AuditError("no AWS credentials found: sign in (aws sso login, AWS_PROFILE, or an assumed role) with read access to the account", 2, "credentials", action);
    }
    if (/AccessDenied|UnauthorizedOperation|AuthorizationError|UnauthorizedException|Forbidden/.test(name)) {
        return new AuditError(`missing IAM permission ${action} (needed by ${command}): grant it to the auditing role`, 2, "permission", action);
    }
    if (/Throttl|TooManyRequests|RequestLimitExceeded|Rate exceeded/i.test(name + message)) {
        // $metadata.attempts is set only on some errors; the configured count is what the SDK tried.
        return new AuditError(`AWS kept throttling ${action} after ${err.$metadata?.attempts ?? RETRY.maxAttempts} attempts: retry later or narrow --days`, 3, "throttled", action);
    }
    return new AuditError(`${action} failed: ${name || "error"}: ${message}`, 3, "failed", action);
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
