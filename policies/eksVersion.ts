import { ResourceValidationPolicy } from "@pulumi/policy";
import { daysToEndOfStandard, eksVersion, EKS_VERSIONS, EKS_VERSIONS_AS_OF, newestInStandardSupport, supportPhase } from "../components/eksVersions";
import { AS_OF_SETTING, daysSetting, describeResource, judgedDay } from "./common";

export const EKS_CLUSTER_TYPE = "aws:eks/cluster:Cluster";
export const DEFAULT_WARNING_DAYS = 90;

interface EksVersionConfig {
    warningDays?: unknown;
    asOf?: unknown;
}

/**
 * An EKS cluster's Kubernetes minor, judged against the version table (components/eksVersions.ts): flagged
 * once it is past standard support (extended support bills the control plane at 6x, or EKS upgrades it),
 * and `warningDays` before that, so the upgrade is planned rather than forced. The day judged is today
 * (UTC) unless `asOf` pins it, which makes a pipeline's verdict reproducible.
 */
export const eksVersionSupport: ResourceValidationPolicy = {
    name: "eks-version-support",
    description: "EKS clusters run a Kubernetes minor in standard support, not within warningDays of its end.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            warningDays: { type: "integer", minimum: 0, maximum: 365, default: DEFAULT_WARNING_DAYS, description: "Flag a minor this many days before it leaves standard support." },
            asOf: AS_OF_SETTING,
        },
    },
    validateResource: (args, report) => {
        if (args.type !== EKS_CLUSTER_TYPE) return;
        const cfg = args.getConfig<EksVersionConfig>();
        const warningDays = daysSetting(cfg.warningDays, DEFAULT_WARNING_DAYS);
        const today = judgedDay(cfg.asOf, "eks-version-support", report);
        if (!today) return;
        const day = today.toISOString().slice(0, 10);
        const minor = args.props.version;
        const v = typeof minor === "string" ? eksVersion(minor) : undefined;
        if (!v) {
            report(`${describeResource(args)} version ${JSON.stringify(minor ?? null)} is not in the EKS version table (as of ${EKS_VERSIONS_AS_OF}: ${EKS_VERSIONS.map((x) => x.minor).join(", ")})`);
            return;
        }
        const newest = newestInStandardSupport(today)?.minor;
        const upgrade = newest && newest !== v.minor ? `upgrade to ${newest}` : "add the next minor to components/eksVersions.ts and upgrade to it";
        const phase = supportPhase(v, today);
        if (phase === "ended") report(`${describeResource(args)} Kubernetes ${v.minor} left extended support on ${v.endOfExtended}; EKS upgrades it automatically: ${upgrade}`);
        else if (phase === "extended") report(`${describeResource(args)} Kubernetes ${v.minor} left standard support on ${v.endOfStandard} (extended support until ${v.endOfExtended} bills the control plane at 6x): ${upgrade}`);
        else if (phase === "unreleased") report(`${describeResource(args)} Kubernetes ${v.minor} is not released on EKS until ${v.released}`);
        else {
            const days = daysToEndOfStandard(v, today);
            if (days <= warningDays) {
                report(`${describeResource(args)} Kubernetes ${v.minor} leaves standard support on ${v.endOfStandard}, ${days} days after ${day} (warning at ${warningDays}): ${upgrade}`);
            }
        }
    },
};
