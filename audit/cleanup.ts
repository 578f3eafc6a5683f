import { CreateTagsCommand } from "@aws-sdk/client-ec2";
import { DescribeNodegroupCommand, TagResourceCommand, UpdateNodegroupConfigCommand } from "@aws-sdk/client-eks";
import { AddTagsToResourceCommand } from "@aws-sdk/client-elasticache";
import { AuditClients } from "./clients";
import { aws } from "./errors";
import { Finding } from "./run";

export const REVIEW_TAG = "ai-infra/review";

export interface CleanupAction {
    finding: Finding["kind"];
    resource: string;
    action: string;
    /** How to undo it. */
    undo: string;
    applied: boolean;
}

/**
 * Reversible clean-up only: idle GPU node groups are scaled to min 0 / desired 0 (their maxSize kept, so
 * autoscaling resumes the moment a pod needs a GPU) and every finding is tagged for review. Nothing is
 * deleted, data stores least of all. Without `apply` it only says what it would do.
 */
export async function cleanup(clients: AuditClients, cluster: string, findings: Finding[], apply: boolean, log: (s: string) => void, today = new Date()): Promise<CleanupAction[]> {
    const stamp = today.toISOString().slice(0, 10);
    const actions: CleanupAction[] = [];
    const record = (a: Omit<CleanupAction, "applied">) => {
        const action = { ...a, applied: apply };
        actions.push(action);
        log(`${apply ? "applied" : "would"}: ${a.action} (${a.resource}); undo: ${a.undo}`);
    };
    for (const f of findings) {
        const review = `${f.kind} ${stamp}`;
        if (f.kind === "idle-gpu-node-group") {
            const { nodegroup } = await aws("eks", "DescribeNodegroupCommand", () => clients.eks.send(new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName: f.target.id })));
            const s = nodegroup?.scalingConfig ?? {};
            const undo = `set minSize=${s.minSize ?? 0} desiredSize=${s.desiredSize ?? 0} (maxSize unchanged), or re-run pulumi up`;
            if (apply) {
                await aws("eks", "UpdateNodegroupConfigCommand", () => clients.eks.send(new UpdateNodegroupConfigCommand({
                    clusterName: cluster, nodegroupName: f.target.id, scalingConfig: { minSize: 0, desiredSize: 0, maxSize: s.maxSize },
                })));
                if (f.target.arn) await aws("eks", "TagResourceCommand", () => clients.eks.send(new TagResourceCommand({ resourceArn: f.target.arn!, tags: { [REVIEW_TAG]: `${review}; restore: ${undo}` } })));
            }
            record({ finding: f.kind, resource: f.resource, action: "scale to min 0 / desired 0 and tag for review", undo });
        } else if (f.kind === "idle-cache" && f.target.arn) {
            if (apply) await aws("elasticache", "AddTagsToResourceCommand", () => clients.elasticache.send(new AddTagsToResourceCommand({ ResourceName: f.target.arn!, Tags: [{ Key: REVIEW_TAG, Value: review }] })));
            record({ finding: f.kind, resource: f.resource, action: "tag for review (data stores are never scaled or deleted)", undo: `remove tag ${REVIEW_TAG}` });
        } else if (f.target.service === "ec2") {
            if (apply) await aws("ec2", "CreateTagsCommand", () => clients.ec2.send(new CreateTagsCommand({ Resources: [f.target.id], Tags: [{ Key: REVIEW_TAG, Value: review }] })));
            record({ finding: f.kind, resource: f.resource, action: "tag for review", undo: `remove tag ${REVIEW_TAG}` });
        }
    }
    return actions;
}
