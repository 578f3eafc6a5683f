import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { gatewayKeySecretName } from "../names";
import type { Environment, NodeGroupConfig, TeamConfig } from "../config";
import type { GatewayConfig } from "../configGateway";
import { Chargeback, chargebackLabels, chargebackTags, teamChargeback } from "../tags";
import { bedrockInvokeResources, providerKeySecretName } from "./backends";
import { CHARTS, ENVOY_SERVICE_ACCOUNT, GATEWAY_NAME, GATEWAY_SYSTEM_NAMESPACE, ROUTES_NAMESPACE } from "./constants";
import { aiGatewayValues, envoyGatewayValues } from "./install";
import { planGateway } from "./plan";
import { ADMITTED_TEAMS_ANNOTATION, keysSecretName } from "./quotas";
import { renderKeysSecret, renderNamespace, renderProviderKeySecret } from "./secrets";
import { K8sObject, ObjectMeta } from "./types";

export interface AiGatewayArgs {
    /** Validated `ai-infra:gateway` settings. */
    config: GatewayConfig;
    /** Teams; those with `gateway` settings are admitted with a per-team API key and limits. */
    teams: TeamConfig[];
    /** GPU node groups, to rank in-cluster backends by capacity type. */
    nodeGroups: NodeGroupConfig[];
    environment: Environment;
    /** Region of the stack (default Bedrock region, Secrets Manager). */
    region: string;
    /** The platform's chargeback identity, on every object the gateway creates. */
    chargeback: Chargeback;
    /** Kubernetes provider of the cluster. */
    provider: k8s.Provider;
    /** EKS cluster name, for the Envoy pods' Pod Identity association (Bedrock). */
    clusterName: pulumi.Input<string>;
    /** Envoy Gateway's namespace, created by the caller (the rate-limit store's Secret already lives there). */
    systemNamespace: k8s.core.v1.Namespace;
    /** The rate-limit store (GatewayCache): `host:port`, cluster mode, and the Secret with its AUTH token. */
    rateLimitStore: { url: pulumi.Input<string>; clusterMode: boolean; secretName: pulumi.Input<string> };
}

/**
 * The AI API gateway: Envoy Gateway and the Envoy AI Gateway installed from their pinned charts, a
 * Gateway behind an NLB, one AIServiceBackend per upstream, per-tier routes with provider fallback, and
 * per-team API keys, request and token limits.
 */
export class AiGateway extends pulumi.ComponentResource {
    readonly gatewayName = GATEWAY_NAME;
    readonly namespace = ROUTES_NAMESPACE;
    /** Secrets Manager ARN of each admitted team's API key, to hand to the team. */
    readonly teamKeySecretArns: Record<string, pulumi.Output<string>> = {};

    constructor(name: string, args: AiGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-infra:gateway:AiGateway", name, {}, opts);
        const k8sOpts = (dependsOn: pulumi.Input<pulumi.Resource>[] = []) => ({ parent: this, provider: args.provider, dependsOn });
        const labels = chargebackLabels(args.chargeback);
        const meta: ObjectMeta = { namespace: ROUTES_NAMESPACE, labels };
        const tags = chargebackTags(args.chargeback);

        // Control planes. The AI Gateway's CRDs come from their own chart, installed first.
        const aiNamespace = new k8s.core.v1.Namespace(`${name}-ai-system`, { metadata: renderNamespace(CHARTS.aiGateway.namespace, labels).metadata }, k8sOpts());
        const eg = new k8s.helm.v3.Release(`${name}-envoy-gateway`, {
            name: CHARTS.envoyGateway.release,
            chart: CHARTS.envoyGateway.chart,
            version: CHARTS.envoyGateway.version,
            namespace: args.systemNamespace.metadata.name,
            values: pulumi.all([args.rateLimitStore.url, args.rateLimitStore.secretName])
                .apply(([url, secretName]) => envoyGatewayValues({ url, secretName, clusterMode: args.rateLimitStore.clusterMode, failureMode: args.config.rateLimitFailureMode })),
            atomic: true,
            timeout: 600,
        }, k8sOpts([args.systemNamespace]));
        const aiCrds = new k8s.helm.v3.Release(`${name}-ai-gateway-crds`, {
            name: CHARTS.aiGatewayCrds.release,
            chart: CHARTS.aiGatewayCrds.chart,
            version: CHARTS.aiGatewayCrds.version,
            namespace: aiNamespace.metadata.name,
            atomic: true,
        }, k8sOpts([aiNamespace]));
        const ai = new k8s.helm.v3.Release(`${name}-ai-gateway`, {
            name: CHARTS.aiGateway.release,
            chart: CHARTS.aiGateway.chart,
            version: CHARTS.aiGateway.version,
            namespace: aiNamespace.metadata.name,
            values: aiGatewayValues(),
            // The chart's own copies of the CRDs would fight the CRD chart's.
            skipCrds: true,
            atomic: true,
            timeout: 600,
        }, k8sOpts([aiCrds, eg]));

        const routesNamespace = new k8s.core.v1.Namespace(`${name}-routes`, { metadata: renderNamespace(ROUTES_NAMESPACE, labels).metadata }, k8sOpts());
        const custom = (obj: K8sObject, dependsOn: pulumi.Resource[]) =>
            new k8s.apiextensions.CustomResource(`${name}-${obj.kind.toLowerCase()}-${obj.metadata.name}`, obj, k8sOpts([routesNamespace, ...dependsOn]));

        const plan = planGateway({ config: args.config, teams: args.teams, nodeGroups: args.nodeGroups, region: args.region, meta });

        // Data plane.
        const envoyProxy = custom(plan.envoyProxy, [eg]);
        const gatewayClass = custom(plan.gatewayClass, [eg]);
        const gateway = custom(plan.gateway, [eg, envoyProxy, gatewayClass]);

        // Upstreams and their credentials.
        const upstreams: pulumi.Resource[] = [];
        for (const backend of args.config.backends) {
            if (backend.provider === "openai") {
                // Read at deploy time from Secrets Manager; kept only as a Pulumi secret and a Kubernetes Secret.
                const apiKey = aws.secretsmanager.getSecretVersionOutput({ secretId: backend.credentialsSecretArn! }, { parent: this }).secretString;
                upstreams.push(new k8s.core.v1.Secret(`${name}-provider-key-${backend.name}`, {
                    metadata: { name: providerKeySecretName(backend.name), namespace: ROUTES_NAMESPACE, labels },
                    type: "Opaque",
                    stringData: pulumi.secret(apiKey.apply((key) => renderProviderKeySecret(backend.name, meta, key).stringData as Record<string, string>)),
                }, k8sOpts([routesNamespace])));
            }
        }
        for (const b of plan.backends) for (const obj of b.objects) upstreams.push(custom(obj, [eg, ai, aiCrds]));
        if (args.config.backends.some((b) => b.provider === "aws-bedrock")) this.bedrockAccess(name, args, tags);

        // Teams: a generated API key each (handed out through Secrets Manager), then per tier the key
        // Secret, the routes, authentication and concurrency; the per-team limits sit on the Gateway.
        const keys: Record<string, pulumi.Output<string>> = {};
        for (const team of args.teams.filter((t) => t.gateway)) {
            const key = new random.RandomPassword(`${name}-key-${team.id}`, { length: 48, special: false }, { parent: this });
            keys[team.id] = pulumi.secret(key.result);
            const secret = new aws.secretsmanager.Secret(`${name}-key-${team.id}`, {
                name: gatewayKeySecretName(team.id),
                description: `Gateway API key of team ${team.id} (send it as x-api-key)`,
                // The name is fixed, and a secret waiting out its recovery window blocks a new one of that name: outside
                // prod, `destroy` then `up` of a stack must work, and a destroyed key is never restored (a new one is
                // generated). 0 deletes at once (Secrets Manager DeleteSecret ForceDeleteWithoutRecovery).
                recoveryWindowInDays: args.environment === "prod" ? 30 : 0,
                tags: chargebackTags(teamChargeback(team, args.environment)),
            }, { parent: this });
            new aws.secretsmanager.SecretVersion(`${name}-key-${team.id}`, { secretId: secret.id, secretString: keys[team.id] }, { parent: this });
            this.teamKeySecretArns[team.id] = secret.arn;
        }
        for (const tier of plan.tiers) {
            const keysSecret = new k8s.core.v1.Secret(`${name}-keys-${tier.tier}`, {
                // The team ids (not the keys) are public: the gateway-quota policy checks each has limits.
                metadata: { name: keysSecretName(tier.tier), namespace: ROUTES_NAMESPACE, labels, annotations: { [ADMITTED_TEAMS_ANNOTATION]: tier.teams.join(",") } },
                type: "Opaque",
                stringData: pulumi.secret(pulumi.all(Object.fromEntries(tier.teams.map((t) => [t, keys[t]])))
                    .apply((plain) => renderKeysSecret(tier.tier, meta, plain).stringData as Record<string, string>)),
            }, k8sOpts([routesNamespace]));
            const routes = tier.routes.map((r) => custom(r, [eg, ai, aiCrds, gateway, ...upstreams]));
            custom(tier.securityPolicy, [eg, keysSecret, ...routes]);
            custom(tier.trafficPolicy, [eg, ...routes]);
        }
        if (plan.rateLimitPolicy) custom(plan.rateLimitPolicy, [eg, gateway]);

        this.registerOutputs({ gatewayName: this.gatewayName, namespace: this.namespace, teamKeySecretArns: this.teamKeySecretArns });
    }

    /**
     * Bedrock requests are signed by the AI Gateway inside the Envoy pods with the default AWS credential
     * chain: an IAM role bound to their service account through EKS Pod Identity, allowed to invoke
     * the routed models and nothing else (bedrockInvokeResources).
     */
    private bedrockAccess(name: string, args: AiGatewayArgs, tags: Record<string, string>): void {
        const role = new aws.iam.Role(`${name}-bedrock`, {
            description: "Envoy AI Gateway: invoke Amazon Bedrock models",
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
            }),
            tags,
        }, { parent: this });
        new aws.iam.RolePolicy(`${name}-bedrock`, {
            role: role.name,
            policy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Action: ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream", "bedrock:Converse", "bedrock:ConverseStream"],
                    Resource: bedrockInvokeResources(args.config.backends, args.region),
                }],
            }),
        }, { parent: this });
        new aws.eks.PodIdentityAssociation(`${name}-bedrock`, {
            clusterName: args.clusterName,
            namespace: GATEWAY_SYSTEM_NAMESPACE,
            serviceAccount: ENVOY_SERVICE_ACCOUNT,
            roleArn: role.arn,
            tags,
        }, { parent: this });
    }
}
