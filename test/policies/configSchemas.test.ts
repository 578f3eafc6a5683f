import { strict as assert } from "assert";
import Ajv from "ajv";
import { policies } from "../../policies/pack";

// The plan compiles the policies' config schemas without checking them against the meta-schema (for
// speed): this is where a malformed schema is caught instead.
describe("policy config schemas", () => {
    it("are valid JSON Schema, as the Pulumi CLI receives them (properties and required)", () => {
        const ajv = new Ajv({ strict: false });
        const withSchema = policies.filter((p) => (p as { configSchema?: unknown }).configSchema !== undefined);
        assert.ok(withSchema.length >= 10, `${withSchema.length} policies declare a config schema`);
        for (const policy of withSchema) {
            const schema = (policy as { configSchema: { properties: object; required?: string[] } }).configSchema;
            const sent = { type: "object", properties: schema.properties, required: schema.required ?? [] };
            assert.equal(ajv.validateSchema(sent), true, `${policy.name}: ${ajv.errorsText(ajv.errors)}`);
        }
    });

    it("would catch a malformed one", () => {
        const ajv = new Ajv({ strict: false });
        assert.equal(ajv.validateSchema({ type: "object", properties: { maxGpusPerTeam: { type: "integr" } } }), false);
    });
});
