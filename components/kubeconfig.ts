/**
 * A kubeconfig that authenticates with `aws eks get-token` at use time, so no long-lived credential is
 * stored in state: whoever runs `pulumi up` (or kubectl) acts with their own IAM identity.
 */
export function kubeconfigFor(clusterName: string, endpoint: string, certificateAuthorityData: string, region?: string): string {
    const args = ["eks", "get-token", "--cluster-name", clusterName, "--output", "json"];
    if (region) args.push("--region", region);
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: clusterName, cluster: { server: endpoint, "certificate-authority-data": certificateAuthorityData } }],
        contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
        "current-context": clusterName,
        users: [{
            name: clusterName,
            user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args, interactiveMode: "Never" } },
        }],
    });
}
