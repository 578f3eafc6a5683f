import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, packArgs } from "./pack";

// Run by `pulumi preview --policy-pack policies --policy-pack-config policies/config/<env>.json`.
new PolicyPack(PACK_NAME, packArgs);
