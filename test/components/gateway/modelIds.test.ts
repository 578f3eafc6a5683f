import { strict as assert } from "assert";
import { ConfigError } from "../../../components/config";
import { planGateway } from "../../../components/gateway";
import { bedrockInvokeResources } from "../../../components/gateway/backends";
import { inClusterModels, paidModels } from "../../../components/modelSpend";
import { chargebackLabels } from "../../../components/tags";
import { CRD_DIR, crdErrors } from "../../crdSchemas";
import { GATEWAY, gatewayStack } from "./fixtures";

const meta = { namespace: "ai-gateway", labels: chargebackLabels({ team: "platform", costCenter: "CC-P", environment: "dev", owner: "p@example.com" }) };
const PROFILE = "us.meta.llama3-1-8b-instruct-v1:0";
/** The fixture's backends with Bedrock sent the `us.` profile for the client-facing `llama`. */
const withIds = (modelIds: unknown) => gatewayStack({
    "ai-infra:gateway": { ...GATEWAY, backends: (GATEWAY.backends as Record<string, unknown>[]).map((b) => (b.name === "bedrock" ? { ...b, modelIds } : b)) },
});

describe("gateway backends' model ids (modelIds)", () => {
    it("sends the backend its own id for a client-facing name, the other backends the name itself, on every tier", () => {
        const config = withIds({ llama: PROFILE });
        const plan = planGateway({ config: config.gateway, teams: config.teams, nodeGroups: config.nodeGroups, region: "us-east-1", meta });
        for (const t of plan.tiers) {
            const rule = (t.routes[0].spec as { rules: { matches: { headers: { value: string }[] }[]; backendRefs: Record<string, unknown>[] }[] }).rules
                .find((r) => r.matches[0].headers[0].value === "llama")!;
            const refs = Object.fromEntries(rule.backendRefs.map((r) => [r.name, r.modelNameOverride]));
            assert.deepEqual(refs, { bedrock: PROFILE, "llama-spot": undefined, "llama-ondemand": undefined }, t.tier);
            if (CRD_DIR) assert.deepEqual(crdErrors(t.routes[0] as { apiVersion: string; kind: string }), [], "modelNameOverride is in the pinned AIGatewayRoute CRD");
        }
    });

    it("uses the sent id where the provider sees it: IAM, prices and metering", () => {
        const { backends } = withIds({ llama: PROFILE }).gateway;
        assert.deepEqual(bedrockInvokeResources(backends, "us-east-1"), [
            `arn:aws:bedrock:us-east-1:*:inference-profile/${PROFILE}`,
            "arn:aws:bedrock:*::foundation-model/meta.llama3-1-8b-instruct-v1:0",
            "arn:aws:bedrock:us-east-1::foundation-model/claude",
        ]);
        assert.deepEqual(paidModels(backends).map((m) => m.model), [PROFILE, "claude", "gpt-4o-mini"]);
        assert.deepEqual(inClusterModels(backends), ["llama"]);
    });

    it("refuses an id for a model the backend does not serve, a malformed id, and a retired one, naming the key", () => {
        assert.throws(() => withIds({ lama: PROFILE }), (e: unknown) => e instanceof ConfigError && /backends\[0\]\.modelIds\.lama: unknown key: did you mean llama\?/.test(e.message));
        assert.throws(() => withIds({ llama: "us.meta llama" }), (e: unknown) => e instanceof ConfigError && /backends\[0\]\.modelIds\.llama: "us\.meta llama" is not allowed: must be the model id this backend is sent/.test(e.message));
        assert.throws(() => withIds({ llama: "us.anthropic.claude-3-5-haiku-20241022-v1:0" }), (e: unknown) => e instanceof ConfigError
            && /backends\[0\]\.modelIds\.llama: "us\.anthropic\.claude-3-5-haiku-20241022-v1:0" is not allowed: aws-bedrock stopped serving it after 2026-06-19/.test(e.message));
    });
});
