import { strict as assert } from "assert";
import { ResourceValidationPolicy } from "@pulumi/policy";
import { PolicyConfigError, resolvePolicyConfig } from "../../plan/policyConfig";

const plain: ResourceValidationPolicy = { name: "plain", description: "d", enforcementLevel: "mandatory", validateResource: () => undefined };
const noLevel: ResourceValidationPolicy = { name: "no-level", description: "d", validateResource: () => undefined };
const typed: ResourceValidationPolicy = {
    name: "typed", description: "d", enforcementLevel: "advisory", validateResource: () => undefined,
    configSchema: { properties: { limit: { type: "integer", minimum: 1, default: 4 }, nested: { type: "object", properties: { n: { type: "integer" } } } } },
};
const pack = [plain, noLevel, typed];

function problems(file: unknown): string[] {
    try {
        resolvePolicyConfig(file, pack);
    } catch (e) {
        assert.ok(e instanceof PolicyConfigError);
        return e.problems;
    }
    return [];
}

describe("policy config: shape errors a typo must not get past", () => {
    it("rejects a file that is not an object", () => {
        for (const bad of [null, "mandatory", 3, [], [{}]]) {
            assert.deepEqual(problems(bad), [`the file must be a JSON object of policy name to settings, got ${JSON.stringify(bad)}`], JSON.stringify(bad));
        }
    });

    it("names an unknown policy and lists the pack's policies; `all` is not a policy name but is allowed", () => {
        assert.deepEqual(problems({ plian: "advisory", all: "advisory" }), ['"plian": unknown policy: the pack has plain, no-level, typed']);
    });

    it("rejects enforcement levels that are not strings of the four levels, for a policy and for `all`", () => {
        const allowed = "must be one of advisory, mandatory, remediate, disabled";
        assert.deepEqual(problems({ plain: "Mandatory" }), [`"plain": enforcementLevel "Mandatory" is not allowed: ${allowed}`]);
        assert.deepEqual(problems({ plain: { enforcementLevel: 1 } }), [`"plain": enforcementLevel 1 is not allowed: ${allowed}`]);
        assert.deepEqual(problems({ all: "off" }), [`"all": enforcementLevel "off" is not allowed: ${allowed}`]);
        assert.deepEqual(problems({ all: { enforcementLevel: "strict" } }), [`"all": enforcementLevel "strict" is not allowed: ${allowed}`]);
        assert.deepEqual(problems({ all: null }), [`"all": enforcementLevel null is not allowed: ${allowed}`]);
        assert.deepEqual(problems({ plain: null }), [`"plain": enforcementLevel null is not allowed: ${allowed}`]);
    });

    it("resolves levels: own entry, then `all` (plain or object form), then the policy's, then the pack's", () => {
        const levels = (file: object, packLevel?: "advisory" | "mandatory") =>
            [...resolvePolicyConfig(file, pack, packLevel).values()].map((c) => c.enforcementLevel);
        assert.deepEqual(levels({}), ["mandatory", "advisory", "advisory"]);
        assert.deepEqual(levels({}, "mandatory"), ["mandatory", "mandatory", "advisory"]);
        assert.deepEqual(levels({ all: "disabled" }), ["disabled", "disabled", "disabled"]);
        assert.deepEqual(levels({ all: { enforcementLevel: "remediate" }, typed: { enforcementLevel: "advisory" } }), ["remediate", "remediate", "advisory"]);
    });

    it("validates properties against the schema with defaults, naming the nested path, disabled policies included", () => {
        assert.deepEqual(resolvePolicyConfig({}, pack).get("typed")?.properties, { limit: 4 });
        assert.deepEqual(problems({ typed: { limit: 0 } }), ['"typed": limit must be >= 1']);
        assert.deepEqual(problems({ typed: { nested: { n: "x" } } }), ['"typed": nested.n must be integer']);
        assert.deepEqual(problems({ typed: { limt: 2, lim: 3 } }), [
            '"typed": unknown property "limt": allowed are limit, nested',
            '"typed": unknown property "lim": allowed are limit, nested',
        ]);
        assert.deepEqual(problems({ typed: { enforcementLevel: "disabled", limit: 0 } }), ['"typed": limit must be >= 1']);
    });

    it("accepts schema keywords Ajv does not know (the Pulumi CLI passes schemas through)", () => {
        const annotated: ResourceValidationPolicy = { ...typed, name: "annotated", configSchema: { properties: { limit: { type: "integer", "x-ui": "slider" } as object } } };
        assert.deepEqual(resolvePolicyConfig({ annotated: { limit: 2 } }, [annotated]).get("annotated")?.properties, { limit: 2 });
    });

    it("rejects properties on a policy that declares none, and counts problems in the message", () => {
        assert.deepEqual(problems({ plain: { limit: 3, x: 1 } }), ['"plain": takes no properties, got limit, x']);
        assert.throws(() => resolvePolicyConfig({ plain: { x: 1 } }, pack), (e: Error) => e.message === 'invalid policy config (1 problem):\n  - "plain": takes no properties, got x');
        assert.throws(() => resolvePolicyConfig({ plain: { x: 1 }, nope: "advisory" }, pack), (e: Error) => e.message.startsWith("invalid policy config (2 problems):\n  - "));
        assert.deepEqual(problems({ plain: { enforcementLevel: "advisory" } }), []);
    });
});

describe("policy config: a moved key says where it went", () => {
    it("names the new home of chargeback-tags.knownTeams", async () => {
        const { policies } = await import("../../policies/pack");
        const required = { "spot-outside-prod": { environment: "dev" }, "scale-to-zero-outside-prod": { environment: "dev" } };
        assert.throws(() => resolvePolicyConfig({ ...required, "chargeback-tags": { environment: "dev", knownTeams: ["a"] } }, policies),
            (e: unknown) => e instanceof PolicyConfigError && e.problems.some((p) => p.startsWith('"chargeback-tags": unknown property "knownTeams" (moved to chargeback-teams.knownTeams')));
    });
});
