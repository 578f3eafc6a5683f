import { Policies, PolicyPackArgs } from "@pulumi/policy";
import { chargebackTags } from "./chargebackTags";

/**
 * The pack's contents, importable without side effects (tests and the offline plan judge with these);
 * only policies/index.ts constructs the PolicyPack, which starts a gRPC server.
 */
export const PACK_NAME = "ai-infra-guard";

export const policies: Policies = [chargebackTags];

export const packArgs: PolicyPackArgs = {
    description: "ai-infra guardrails: quotas, chargeback tagging, right-sizing and security before money is spent.",
    enforcementLevel: "mandatory",
    policies,
};
