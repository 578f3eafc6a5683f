import { ResourceValidationPolicy } from "@pulumi/policy";
import { INSTANCE_TYPES } from "../components/catalog";
import { peek, peekAt } from "../components/tagResolution";
import { describeResource, isRecord } from "./common";
import { instanceTypesOf, isGpuNodeGroup, NODE_GROUP_TYPE } from "./nodeGroups";

export interface MeasuredUsage {
    p95GpuUtilization: number;
    peakNodes: number;
    /** Whole GPUs in use at the busiest hour (pods request whole GPUs; utilisation is not divisible demand). */
    demandGpus: number;
    /** `allocated`: GPUs pods held (node_gpu_usage_total); `active-nodes`: every GPU of a node that did work. */
    demandSource?: "allocated" | "active-nodes";
    measuredAt?: string;
}

/**
 * Capacity asked for versus demand measured: the `usage` map comes from `npm run audit -- --json`
 * (its `policyConfig`), keyed by node group name. `demandGpus` counts whole GPUs in use at the busiest hour
 * of the audit window. A group whose maxSize × GPUs exceeds that by more than `marginPercent` is flagged;
 * advisory by default, since demand may be about to grow.
 */
export const rightSizeFromUsage: ResourceValidationPolicy = {
    name: "right-size-from-usage",
    description: "A GPU node group's requested capacity does not exceed its measured peak whole-GPU demand by more than a margin.",
    enforcementLevel: "advisory",
    configSchema: {
        properties: {
            marginPercent: { type: "number", minimum: 0, default: 50 },
            usage: {
                type: "object",
                default: {},
                additionalProperties: {
                    type: "object",
                    properties: {
                        p95GpuUtilization: { type: "number" }, peakNodes: { type: "integer" }, demandGpus: { type: "integer" },
                        demandSource: { type: "string", enum: ["allocated", "active-nodes"] }, measuredAt: { type: "string" },
                    },
                },
            },
        },
    },
    validateResource: (args, report) => {
        if (args.type !== NODE_GROUP_TYPE || !isGpuNodeGroup(args.props)) return;
        const cfg = args.getConfig<{ marginPercent?: unknown; usage?: unknown }>();
        const groupName = peek(args.props, "nodeGroupName");
        const name = typeof groupName === "string" ? groupName : args.name;
        const measured = isRecord(cfg.usage) ? cfg.usage[name] : undefined;
        if (!isRecord(measured) || typeof measured.demandGpus !== "number") return;
        const margin = typeof cfg.marginPercent === "number" ? cfg.marginPercent : 50;
        const gpusPerNode = Math.max(0, ...instanceTypesOf(args.props).map((t) => INSTANCE_TYPES.get(t)?.gpus ?? 0));
        const maxSize = peekAt(args.props, "scalingConfig", "maxSize");
        if (typeof maxSize !== "number" || gpusPerNode === 0) return;
        const requested = maxSize * gpusPerNode;
        const allowed = Math.max(1, measured.demandGpus) * (1 + margin / 100);
        if (requested > allowed) {
            report(`${describeResource(args)} can scale to ${requested} GPUs (maxSize ${maxSize} x ${gpusPerNode}) but at most ${measured.demandGpus} whole GPU(s) were in use at once (${measured.demandSource === "allocated" ? "held by pods" : "on nodes that did work"}; p95 utilisation ${measured.p95GpuUtilization} % on up to ${measured.peakNodes} node(s)${typeof measured.measuredAt === "string" ? `, audit of ${measured.measuredAt}` : ""}); more than ${margin} % above demand`);
        }
    },
};
