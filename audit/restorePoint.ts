/** Tag naming why a resource was touched by the clean-up and when. */
export const REVIEW_TAG = "ai-infra/review";
/** Tag holding a node group's sizes from before its first clean-up; `--restore` reads it back. */
export const RESTORE_TAG = "ai-infra/restore";

export interface RestorePoint {
    minSize: number;
    maxSize: number;
    desiredSize: number;
    /** UTC, minute resolution. */
    recordedAt: string;
}

/**
 * `minSize=0 maxSize=6 desiredSize=2 at=2026-11-20T00:00Z`: only letters, digits, spaces and `= . : -`, which
 * EKS tag values accept (its tag restrictions allow letters, numbers, spaces and + - = . _ : / @).
 */
export function formatRestorePoint(p: RestorePoint): string {
    return `minSize=${p.minSize} maxSize=${p.maxSize} desiredSize=${p.desiredSize} at=${p.recordedAt}`;
}

export function parseRestorePoint(value: string | undefined): RestorePoint | undefined {
    if (!value) return undefined;
    const m = /^minSize=(\d+) maxSize=(\d+) desiredSize=(\d+) at=(\S+)$/.exec(value.trim());
    return m ? { minSize: Number(m[1]), maxSize: Number(m[2]), desiredSize: Number(m[3]), recordedAt: m[4] } : undefined;
}
