import { DescribeNodegroupCommand, paginateListNodegroups, UntagResourceCommand, UpdateNodegroupConfigCommand } from "@aws-sdk/client-eks";
import { CleanupAction } from "./cleanup";
import { AuditClients } from "./clients";
import { aws } from "./errors";
import { parseRestorePoint, RESTORE_TAG, REVIEW_TAG } from "./restorePoint";

export interface RestoreOptions {
    cluster: string;
    apply: boolean;
    log: (s: string) => void;
}

/**
 * `--restore`: every node group of the cluster carrying a restore point gets its recorded minSize and
 * desired size back (maxSize stays what Pulumi set; desired is capped by it), then loses the clean-up's
 * tags. Setting the sizes first and untagging second makes a re-run after a failure safe: it sets the
 * same sizes again.
 */
export async function restore(clients: AuditClients, o: RestoreOptions): Promise<CleanupAction[]> {
    const names: string[] = [];
    await aws("eks", "ListNodegroupsCommand", async () => {
        for await (const page of paginateListNodegroups({ client: clients.eks }, { clusterName: o.cluster })) names.push(...(page.nodegroups ?? []));
    });
    const actions: CleanupAction[] = [];
    for (const name of names) {
        const { nodegroup } = await aws("eks", "DescribeNodegroupCommand", () => clients.eks.send(new DescribeNodegroupCommand({ clusterName: o.cluster, nodegroupName: name })));
        const point = parseRestorePoint(nodegroup?.tags?.[RESTORE_TAG]);
        if (!nodegroup || !point) continue;
        const maxSize = nodegroup.scalingConfig?.maxSize ?? point.maxSize;
        const target = { minSize: Math.min(point.minSize, maxSize), maxSize, desiredSize: Math.min(point.desiredSize, maxSize) };
        const current = nodegroup.scalingConfig ?? {};
        const action = `set minSize ${target.minSize}, desired ${target.desiredSize} (recorded ${point.recordedAt}) and remove ${RESTORE_TAG}, ${REVIEW_TAG}`;
        const undo = `npm run audit -- --stack <stack> --cleanup --yes (it was minSize ${current.minSize ?? 0}, desired ${current.desiredSize ?? 0})`;
        const record = (a: Pick<CleanupAction, "status" | "reason">) => {
            const done: CleanupAction = { finding: "restore", resource: `node group ${name}`, action, undo, restorePoint: point, ...a };
            actions.push(done);
            o.log(`${done.status}: ${action} (${done.resource})${done.reason ? `: ${done.reason}` : ""}`);
        };
        if (!o.apply) {
            record({ status: "would" });
            continue;
        }
        try {
            await aws("eks", "UpdateNodegroupConfigCommand", () => clients.eks.send(new UpdateNodegroupConfigCommand({ clusterName: o.cluster, nodegroupName: name, scalingConfig: target })));
        } catch (e) {
            record({ status: "failed", reason: `sizes not restored, restore point kept: ${(e as Error).message}` });
            continue;
        }
        try {
            if (nodegroup.nodegroupArn) await aws("eks", "UntagResourceCommand", () => clients.eks.send(new UntagResourceCommand({ resourceArn: nodegroup.nodegroupArn!, tagKeys: [RESTORE_TAG, REVIEW_TAG] })));
        } catch (e) {
            record({ status: "failed", reason: `sizes restored, but the tags stay (a re-run is harmless): ${(e as Error).message}` });
            continue;
        }
        record({ status: "applied" });
    }
    return actions;
}
