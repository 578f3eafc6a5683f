// The components by their package name, as any other program imports them (README "Use the components in your
// own program"); in this repository the name resolves to components/ itself (tools/componentsPackage.js).
import { loadStackConfig, Platform } from "@ai-infra/components";

// An exported function is what Pulumi runs as the program; the offline plan runs this same function
// under the mock runtime, so `pulumi up` and `npm run plan` judge one program.
export = async () => {
    // Validation throws before any resource is declared.
    const config = loadStackConfig();
    const platform = new Platform("ai", { config });
    return {
        environment: config.environment,
        clusterName: platform.cluster.name,
        clusterEndpoint: platform.cluster.endpoint,
        kubeconfig: platform.cluster.kubeconfig,
        nodeGroups: Object.fromEntries(Object.entries(platform.nodeGroups).map(([name, g]) => [name, g.nodeGroup.nodeGroupName])),
        rateLimitCache: {
            endpoint: platform.rateLimitCache.endpoint,
            port: platform.rateLimitCache.port,
            tls: platform.rateLimitCache.tls,
            authSecretArn: platform.rateLimitCache.authSecretArn,
        },
        alertTopics: { warning: platform.monitoring.warningTopicArn, critical: platform.monitoring.criticalTopicArn },
        dashboard: platform.monitoring.dashboardName,
        ...(platform.gateway ? { gateway: { name: platform.gateway.gatewayName, namespace: platform.gateway.namespace, teamKeySecretArns: platform.gateway.teamKeySecretArns } } : {}),
        ...(platform.network ? { vpcId: platform.network.vpcId } : {}),
    };
};
