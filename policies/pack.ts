import { Policies, PolicyPackArgs } from "@pulumi/policy";
import { costWithinBudget, modelSpendWithinBudget, teamBudget } from "./budgetPolicies";
import { cacheEncryption, cacheRightSize, imdsv2Required } from "./cacheAndInstances";
import { chargebackTags } from "./chargebackTags";
import { chargebackTeams } from "./chargebackTeams";
import { withConfigKeyCheck } from "./configKeys";
import { eksVersionSupport } from "./eksVersion";
import { gatewayQuota } from "./gatewayQuota";
import { gpuQuota } from "./gpuQuota";
import { modelEndOfLife, modelRetirementNotice } from "./modelLifecycle";
import { rightSizeFromUsage } from "./rightSizeFromUsage";
import { gpuInstanceAllowlist, scaleToZeroOutsideProd, spotDiversification, spotOutsideProd } from "./nodeGroups";

/**
 * The pack's contents, importable without side effects (tests and the offline plan judge with these);
 * only policies/index.ts constructs the PolicyPack, which starts a gRPC server.
 */
export const PACK_NAME = "ai-infra-guard";

/** Every policy checks its own config keys (see configKeys.ts): a typo fails the real CLI too. */
export const policies: Policies = ([
    chargebackTags,
    chargebackTeams,
    gpuQuota,
    gpuInstanceAllowlist,
    spotOutsideProd,
    scaleToZeroOutsideProd,
    spotDiversification,
    cacheRightSize,
    cacheEncryption,
    imdsv2Required,
    teamBudget,
    costWithinBudget,
    modelSpendWithinBudget,
    gatewayQuota,
    rightSizeFromUsage,
    eksVersionSupport,
    modelEndOfLife,
    modelRetirementNotice,
] as Policies).map(withConfigKeyCheck);

export const packArgs: PolicyPackArgs = {
    description: "ai-infra guardrails: quotas, chargeback tagging, right-sizing and security before money is spent.",
    enforcementLevel: "mandatory",
    policies,
};
