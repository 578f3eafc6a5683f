import { HOURS_PER_MONTH, UNIT_PRICES } from "./catalog";
import { eksVersion, parseIsoDate } from "./eksVersions";

const HOUR_MS = 3600 * 1000;

export interface ControlPlaneMonth {
    /** USD for the month model (730 hours from `from`), us-east-1 list, before the region factor. */
    usd: number;
    /** Hours of those billed at the extended-support rate. */
    extendedHours: number;
}

/**
 * An EKS control plane's month: standard support at $0.10/h; once the minor is past its end of standard
 * support, $0.60/h if the upgrade policy is EXTENDED (EKS's default when none is set). With STANDARD, EKS
 * upgrades the cluster at the end of standard support instead, so it stays at the standard rate. The month is
 * the 730 hours starting `from`, so a minor that leaves standard support mid-month is billed pro rata. A minor
 * the table does not know is priced by its policy alone: all month extended when EXTENDED is explicit (the
 * estimate never undershoots), standard otherwise (config validation and the version policy reject it anyway).
 */
export function controlPlaneMonth(version: string | undefined, supportType: string | undefined, from: Date): ControlPlaneMonth {
    const v = version === undefined ? undefined : eksVersion(version);
    const endOfStandard = v ? parseIsoDate(v.endOfStandard) : undefined;
    let extendedHours = !v && supportType === "EXTENDED" ? HOURS_PER_MONTH : 0;
    if (endOfStandard && supportType !== "STANDARD") {
        const hoursUntil = (endOfStandard.getTime() - from.getTime()) / HOUR_MS;
        extendedHours = Math.min(HOURS_PER_MONTH, Math.max(0, HOURS_PER_MONTH - hoursUntil));
    }
    const usd = extendedHours * UNIT_PRICES.eksControlPlaneExtendedPerHour + (HOURS_PER_MONTH - extendedHours) * UNIT_PRICES.eksControlPlaneStandardPerHour;
    return { usd, extendedHours };
}
