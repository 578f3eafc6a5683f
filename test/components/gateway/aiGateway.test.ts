import { bedrockInvokeResources } from "../../../components/gateway/backends";
import { strict as assert } from "assert";
import { Platform } from "../../../components/platform";
import { RecordedResource } from "../../../plan/mockRuntime";
import { declare, ofType, one } from "../../helpers";
import { gatewayStack } from "./fixtures";

const RELEASE = "kubernetes:helm.sh/v3:Release";

describe("AiGateway under mocks", () => {
    let resources: RecordedResource[];
    before(async () => {
        const config = gatewayStack();
        resources = await declare(() => new Platform("ai", { config }));
    });
    const byUrn = (urn: string) => resources.find((r) => r.urn === urn);
    const release = (name: string) => one(resources, RELEASE, name);

    it("installs the pinned charts, each in its own namespace", () => {
        const eg = release("ai-gateway-envoy-gateway").inputs;
        assert.deepEqual([eg.chart, eg.version, eg.namespace], ["oci://docker.io/envoyproxy/gateway-helm", "v1.8.3", "envoy-gateway-system"]);
        const crds = release("ai-gateway-ai-gateway-crds").inputs;
        assert.deepEqual([crds.chart, crds.version, crds.namespace], ["oci://docker.io/envoyproxy/ai-gateway-crds-helm", "v1.1.0", "envoy-ai-gateway-system"]);
        const ai = release("ai-gateway-ai-gateway").inputs;
        assert.deepEqual([ai.chart, ai.version, ai.namespace, ai.skipCrds], ["oci://docker.io/envoyproxy/ai-gateway-helm", "v1.1.0", "envoy-ai-gateway-system", true]);
    });

    it("points Envoy Gateway's rate limiting at the cache without the token in its values", () => {
        const values = release("ai-gateway-envoy-gateway").inputs.values as Record<string, any>;
        assert.equal(values.config.envoyGateway.rateLimit.backend.redis.url, "master.ai-ratelimit.mock.use1.cache.amazonaws.com:6379");
        assert.equal(values.config.envoyGateway.rateLimit.failClosed, false, "the configured failure mode (default open), written explicitly");
        assert.ok(!JSON.stringify(values).includes("plan-mock-password"), "AUTH token never inlined");
    });

    it("deploys every Kubernetes object through the cluster's provider", () => {
        const provider = one(resources, "pulumi:providers:kubernetes");
        for (const r of resources.filter((x) => x.type.startsWith("kubernetes:"))) {
            assert.ok(r.provider?.startsWith(provider.urn), `${r.urn} uses ${r.provider}`);
        }
    });

    it("orders CRDs and controllers before the custom resources that need them", () => {
        const crdChart = release("ai-gateway-ai-gateway-crds").urn;
        const egChart = release("ai-gateway-envoy-gateway").urn;
        const custom = resources.filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:core/") && r.type !== RELEASE);
        assert.ok(custom.length > 15);
        for (const r of custom) {
            assert.ok(r.dependencies.includes(egChart), `${r.urn} waits for Envoy Gateway`);
            if (r.type.startsWith("kubernetes:aigateway.envoyproxy.io/")) assert.ok(r.dependencies.includes(crdChart), `${r.urn} waits for the AI Gateway CRDs`);
        }
        assert.ok(release("ai-gateway-ai-gateway").dependencies.includes(crdChart));
        const route = resources.find((r) => r.type === "kubernetes:aigateway.envoyproxy.io/v1beta1:AIGatewayRoute")!;
        for (const backend of ofType(resources, "kubernetes:aigateway.envoyproxy.io/v1beta1:AIServiceBackend")) assert.ok(route.dependencies.includes(backend.urn));
    });

    it("keeps API keys and provider keys secret everywhere", () => {
        for (const r of resources) {
            const plain = JSON.stringify(r.inputs);
            if (r.type === "kubernetes:core/v1:Secret" || r.type === "aws:secretsmanager/secretVersion:SecretVersion" || r.type === "aws:elasticache/replicationGroup:ReplicationGroup") {
                assert.ok(r.secretPaths.length > 0, `${r.urn} marks its data secret`);
                continue;
            }
            assert.ok(!plain.includes("plan-mock-password") && !plain.includes("plan-placeholder-provider-key"), `${r.urn} has a secret in plain inputs`);
        }
        const keys = one(resources, "kubernetes:core/v1:Secret", "ai-gateway-keys-production");
        assert.deepEqual(keys.secretPaths, ["stringData"]);
        assert.deepEqual(Object.keys(keys.inputs.stringData as object), ["search"]);
    });

    it("hands each admitted team its key through Secrets Manager, tagged to the team", () => {
        const secrets = ofType(resources, "aws:secretsmanager/secret:Secret").filter((s) => String(s.inputs.name).includes("/gateway/"));
        assert.deepEqual(secrets.map((s) => [s.inputs.name, (s.inputs.tags as Record<string, string>).team]).sort(),
            // <project>/<stack>/gateway/<team>: the mock runs project ai-infra, stack test.
            [["ai-infra/test/gateway/ml-research", "ml-research"], ["ai-infra/test/gateway/search", "search"]]);
    });

    it("lets the Envoy pods call Bedrock through Pod Identity, nothing more", () => {
        const assoc = one(resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "ai-gateway-bedrock").inputs;
        assert.deepEqual([assoc.namespace, assoc.serviceAccount], ["envoy-gateway-system", "ai-gateway-envoy"]);
        const policy = JSON.parse(String(one(resources, "aws:iam/rolePolicy:RolePolicy", "ai-gateway-bedrock").inputs.policy));
        assert.deepEqual(policy.Statement[0].Action, ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream", "bedrock:Converse", "bedrock:ConverseStream"]);
        // Exactly the routed models (the fixture routes `llama` and `claude` by in-region id), in the backend's region.
        assert.deepEqual(policy.Statement[0].Resource, ["arn:aws:bedrock:us-east-1::foundation-model/llama", "arn:aws:bedrock:us-east-1::foundation-model/claude"]);
    });

    it("lets a cross-region inference profile run its model in every destination region, and nothing else", () => {
        const backends = [
            { provider: "aws-bedrock" as const, models: ["us.meta.llama3-1-8b-instruct-v1:0", "mistral.mistral-large-2402-v1:0"] },
            { provider: "aws-bedrock" as const, models: ["global.anthropic.claude-haiku-4-5-20251001-v1:0"], region: "eu-west-1" },
            { provider: "openai" as const, models: ["gpt-4o-mini"] },
        ];
        assert.deepEqual(bedrockInvokeResources(backends, "us-east-1"), [
            // The profile in its source region; Bedrock may run the base model in us-east-1, us-east-2 or us-west-2.
            "arn:aws:bedrock:us-east-1:*:inference-profile/us.meta.llama3-1-8b-instruct-v1:0",
            "arn:aws:bedrock:*::foundation-model/meta.llama3-1-8b-instruct-v1:0",
            "arn:aws:bedrock:us-east-1::foundation-model/mistral.mistral-large-2402-v1:0",
            "arn:aws:bedrock:eu-west-1:*:inference-profile/global.anthropic.claude-haiku-4-5-20251001-v1:0",
            "arn:aws:bedrock:*::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0",
        ]);
    });

    it("parents everything to the component", () => {
        const component = one(resources, "ai-infra:gateway:AiGateway");
        for (const r of resources.filter((x) => x.parent === component.urn)) assert.ok(byUrn(r.urn));
        assert.ok(resources.filter((x) => x.parent === component.urn).length > 25);
    });
});
