import { strict as assert } from "assert";
import { modelEndOfLife, modelRetirementNotice, routedModels } from "../../policies/modelLifecycle";
import { resolvePolicyConfig, PolicyConfigError } from "../../plan/policyConfig";
import { resourceArgs, violations } from "./helpers";

const ROUTE = "kubernetes:aigateway.envoyproxy.io/v1beta1:AIGatewayRoute";
/** A route as AI Gateway's CRD has it: a rule per model, matched on the x-ai-eg-model header. */
const route = (...models: string[]) => ({
    spec: {
        rules: models.map((m) => ({ matches: [{ headers: [{ type: "Exact", name: "x-ai-eg-model", value: m }] }], backendRefs: [{ name: "b" }] })),
    },
});
const HAIKU_35 = "anthropic.claude-3-5-haiku-20241022-v1:0";
const endOfLife = (props: object, asOf: string, type = ROUTE) => violations(modelEndOfLife, resourceArgs(type, props as Record<string, unknown>, { asOf }, "ai-batch"));
const notice = (props: object, config: object) => violations(modelRetirementNotice, resourceArgs(ROUTE, props as Record<string, unknown>, config, "ai-batch"));

describe("model-end-of-life", () => {
    it("refuses a route to a model the day after its last day, by base id or inference profile", async () => {
        // Bedrock's last day for Claude 3.5 Haiku is 2026-06-19: requests fail from the 20th.
        assert.deepEqual(await endOfLife(route(HAIKU_35), "2026-06-19"), []);
        assert.deepEqual(await endOfLife(route(HAIKU_35), "2026-06-20"), [
            `${ROUTE} "ai-batch" routes model ${HAIKU_35}, which its provider stopped serving after 2026-06-19 (Amazon Bedrock model card, Claude 3.5 Haiku: Legacy, end of life 2026-06-19): every request to it fails`,
        ]);
        assert.equal((await endOfLife(route(`us.${HAIKU_35}`), "2026-11-26")).length, 1, "a us. profile of a retired model is retired too");
    });

    it("passes served and unknown models, other apiVersions' routes are judged, other resources ignored", async () => {
        assert.deepEqual(await endOfLife(route("us.anthropic.claude-haiku-4-5-20251001-v1:0", "gpt-4o-mini", "my-own-model"), "2026-11-26"), []);
        assert.equal((await endOfLife(route(HAIKU_35), "2026-11-26", "kubernetes:aigateway.envoyproxy.io/v1alpha1:AIGatewayRoute")).length, 1);
        assert.deepEqual(await endOfLife(route(HAIKU_35), "2026-11-26", "kubernetes:core/v1:ConfigMap"), []);
    });

    it("reads models from header matches (any case) and per-backend overrides", () => {
        const spec = {
            rules: [
                { matches: [{ headers: [{ name: "X-AI-EG-Model", value: "a" }, { name: "x-tenant", value: "t" }] }], backendRefs: [{ name: "b", modelNameOverride: "b-model" }] },
                { matches: [{ headers: [{ name: "x-ai-eg-model", value: "a" }] }] },
            ],
        };
        assert.deepEqual(routedModels(spec), ["a", "b-model"]);
        assert.deepEqual(routedModels(undefined), []);
    });

    it("refuses a malformed asOf instead of judging another day", async () => {
        assert.deepEqual(await endOfLife(route(HAIKU_35), "2026-02-30"), ['model-end-of-life: asOf "2026-02-30" is not a YYYY-MM-DD date']);
    });
});

describe("model-retirement-notice", () => {
    it("flags a model within noticeDays of its announced end of life, at the boundary, and not after it (end-of-life's job)", async () => {
        // gpt-4o-mini: last day 2027-01-14; 90 days before is 2026-10-16.
        assert.deepEqual(await notice(route("gpt-4o-mini"), { asOf: "2026-10-15", noticeDays: 90 }), []);
        assert.deepEqual(await notice(route("gpt-4o-mini"), { asOf: "2026-10-16", noticeDays: 90 }), [
            `${ROUTE} "ai-batch" routes model gpt-4o-mini, whose provider stops serving it after 2027-01-14, 90 days from 2026-10-16 (notice at 90; OpenAI deprecations, announced 2026-10-14 (as reported by secondary sources; verify on platform.openai.com/docs/deprecations)): move its clients to a successor`,
        ]);
        assert.equal((await notice(route("gpt-4o-mini"), { asOf: "2027-01-14" })).length, 1, "the last day still warns (default 90 days)");
        assert.deepEqual(await notice(route("gpt-4o-mini"), { asOf: "2027-01-15" }), []);
        assert.deepEqual(await notice(route("us.anthropic.claude-haiku-4-5-20251001-v1:0"), { asOf: "2026-11-26", noticeDays: 730 }), [], "no date announced");
    });

    it("takes noticeDays from the policy config, validated", () => {
        assert.equal(resolvePolicyConfig({ "model-retirement-notice": { enforcementLevel: "advisory" } }, [modelRetirementNotice]).get("model-retirement-notice")!.properties.noticeDays, 90);
        assert.throws(() => resolvePolicyConfig({ "model-retirement-notice": { noticeDays: 1000 } }, [modelRetirementNotice]), (e: unknown) => e instanceof PolicyConfigError && /noticeDays must be <= 730/.test(e.message));
    });
});

describe("model lifecycle policies at their edges", () => {
    const header = (h: Record<string, unknown>) => ({ spec: { rules: [{ matches: [{ headers: [h] }] }] } });

    it("count only Exact (or untyped) header matches with a string value", () => {
        assert.deepEqual(routedModels(header({ name: "x-ai-eg-model", type: "Exact", value: HAIKU_35 }).spec), [HAIKU_35]);
        assert.deepEqual(routedModels(header({ name: "x-ai-eg-model", value: HAIKU_35 }).spec), [HAIKU_35]);
        assert.deepEqual(routedModels(header({ name: "x-ai-eg-model", type: "RegularExpression", value: "anthropic\\..*" }).spec), []);
        assert.deepEqual(routedModels(header({ name: "x-ai-eg-model", value: 35 }).spec), []);
    });

    it("judge today when no asOf is given (a retired model stays retired)", async () => {
        assert.deepEqual((await violations(modelEndOfLife, resourceArgs(ROUTE, route(HAIKU_35), {}, "ai-batch"))).map((m) => m.split(",")[0]),
            [`${ROUTE} "ai-batch" routes model ${HAIKU_35}`]);
    });

    it("say nothing about resources that route no model, even with a bad asOf", async () => {
        assert.deepEqual(await violations(modelEndOfLife, resourceArgs("kubernetes:core/v1:ConfigMap", {}, { asOf: "soon" })), []);
        assert.deepEqual(await violations(modelRetirementNotice, resourceArgs("kubernetes:core/v1:ConfigMap", {}, { asOf: "soon" })), []);
    });

    it("refuse a bad asOf once, and fall back to 90 notice days for a value the schema would refuse", async () => {
        assert.deepEqual(await notice(route("gpt-4o-mini"), { asOf: "2027-13-01" }), ['model-retirement-notice: asOf "2027-13-01" is not a YYYY-MM-DD date']);
        // 2026-10-17 is 89 days before the last day: inside the default 90, outside a notice of 10.
        assert.equal((await notice(route("gpt-4o-mini"), { asOf: "2026-10-17", noticeDays: 10 })).length, 0);
        for (const noticeDays of ["soon", -1, 1.5]) assert.equal((await notice(route("gpt-4o-mini"), { asOf: "2026-10-17", noticeDays })).length, 1, String(noticeDays));
        assert.equal((await notice(route("gpt-4o-mini"), { asOf: "2027-01-14", noticeDays: 0 })).length, 1, "0 days: the last day itself");
        assert.equal((await notice(route("gpt-4o-mini"), { asOf: "2027-01-13", noticeDays: 0 })).length, 0, "0 is a setting, not a fallback to 90");
    });
});
