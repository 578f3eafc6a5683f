/**
 * The one table of EKS Kubernetes minors and everything that must move with the minor. Moving a stack to a
 * new minor is one edit (`cluster.version`): the node groups, the Cluster Autoscaler chart and image, the
 * upgrade policy and the control-plane price all follow this table. EKS add-ons are declared without an
 * `addonVersion`, so EKS installs its default version for the cluster's minor.
 *
 * Dates: the EKS user guide's version lifecycle page and https://endoflife.date/amazon-eks, as of
 * EKS_VERSIONS_AS_OF. A minor has 14 months of standard support, then 12 months of extended support (billed
 * per cluster hour on top), then EKS upgrades the cluster automatically.
 *
 * Autoscaler pins (kubernetes/autoscaler): `chart` is the newest `cluster-autoscaler-chart-*` tag whose
 * `cluster-autoscaler/charts/cluster-autoscaler/Chart.yaml:2` (`appVersion`) is this minor (9.46.6 → 1.32.0,
 * 9.51.0 → 1.33.0, 9.53.0 → 1.34.2, 9.59.0 → 1.35.0); `image` is the newest `cluster-autoscaler-<minor>.*`
 * patch tag, set through the chart's `image.tag` (values.yaml:306 at chart 9.59.0). Within a minor a newer
 * patch only fixes bugs; the chart's RBAC is that of the same minor.
 */

export const EKS_VERSIONS_AS_OF = "2026-11-26";

export interface EksVersion {
    /** `1.NN`, as EKS names it. */
    readonly minor: string;
    /** Released on EKS (YYYY-MM-DD). */
    readonly released: string;
    /** First day out of standard support: from then on, extended support (extra cost) or an automatic upgrade. */
    readonly endOfStandard: string;
    /** First day out of extended support: EKS upgrades the cluster automatically. */
    readonly endOfExtended: string;
    readonly clusterAutoscaler: { readonly chart: string; readonly image: string };
}

export const EKS_VERSIONS: readonly EksVersion[] = [
    { minor: "1.32", released: "2025-01-25", endOfStandard: "2026-03-23", endOfExtended: "2027-03-23", clusterAutoscaler: { chart: "9.46.6", image: "v1.32.7" } },
    { minor: "1.33", released: "2025-05-28", endOfStandard: "2026-07-29", endOfExtended: "2027-07-29", clusterAutoscaler: { chart: "9.51.0", image: "v1.33.6" } },
    { minor: "1.34", released: "2025-10-06", endOfStandard: "2026-12-02", endOfExtended: "2027-12-02", clusterAutoscaler: { chart: "9.53.0", image: "v1.34.5" } },
    { minor: "1.35", released: "2026-01-28", endOfStandard: "2027-03-27", endOfExtended: "2028-03-27", clusterAutoscaler: { chart: "9.59.0", image: "v1.35.2" } },
];

export type SupportPhase = "unreleased" | "standard" | "extended" | "ended";

const DAY_MS = 24 * 3600 * 1000;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A `YYYY-MM-DD` date as UTC midnight, or undefined when it is not a real calendar date. */
export function parseIsoDate(s: string): Date | undefined {
    if (!ISO_DATE.test(s)) return undefined;
    const d = new Date(`${s}T00:00:00Z`);
    return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s ? undefined : d;
}

function date(s: string): Date {
    const d = parseIsoDate(s);
    if (!d) throw new Error(`eksVersions: ${s} is not a YYYY-MM-DD date`);
    return d;
}

/** Today as UTC midnight: what validation and the version policy judge against unless told a date. */
export function todayUtc(now: Date = new Date()): Date {
    return date(now.toISOString().slice(0, 10));
}

export function eksVersion(minor: string): EksVersion | undefined {
    return EKS_VERSIONS.find((v) => v.minor === minor);
}

export function supportPhase(v: EksVersion, on: Date): SupportPhase {
    if (on < date(v.released)) return "unreleased";
    if (on < date(v.endOfStandard)) return "standard";
    if (on < date(v.endOfExtended)) return "extended";
    return "ended";
}

/** Whole days from `on` until the version leaves standard support (negative once it has). */
export function daysToEndOfStandard(v: EksVersion, on: Date): number {
    return Math.round((date(v.endOfStandard).getTime() - on.getTime()) / DAY_MS);
}

/** The newest minor in standard support on a date, or undefined when the table has none (it needs a new row). */
export function newestInStandardSupport(on: Date): EksVersion | undefined {
    return [...EKS_VERSIONS]
        .filter((v) => supportPhase(v, on) === "standard")
        .sort((a, b) => Number(b.minor.split(".")[1]) - Number(a.minor.split(".")[1]))[0];
}

/**
 * The default `cluster.version`: the newest minor in standard support on the table's as-of date. It is
 * tied to the table, not to the clock, so a plain `pulumi up` never upgrades a cluster because time
 * passed; refreshing the table (new row, new as-of date) is what moves the default.
 */
export const DEFAULT_KUBERNETES_VERSION: string = (() => {
    const v = newestInStandardSupport(date(EKS_VERSIONS_AS_OF));
    if (!v) throw new Error(`eksVersions: no minor is in standard support on ${EKS_VERSIONS_AS_OF}; add the current one to EKS_VERSIONS`);
    return v.minor;
})();

/**
 * The upgrade policy that matches the version's phase: STANDARD while in standard support (EKS upgrades at
 * its end rather than billing extended support), EXTENDED for a version already past it (a STANDARD policy
 * there would make EKS upgrade the cluster under Pulumi, which then tries a downgrade EKS refuses).
 */
export function upgradeSupportType(v: EksVersion, on: Date): "STANDARD" | "EXTENDED" {
    return supportPhase(v, on) === "standard" ? "STANDARD" : "EXTENDED";
}
