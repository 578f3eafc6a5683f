import { strict as assert } from "assert";
import { policies } from "../../policies/pack";
import { judge } from "../../plan/judge";
import { RecordedResource } from "../../plan/mockRuntime";
import { PolicyConfigError, resolvePolicyConfig } from "../../plan/policyConfig";

const vpc = (tags: Record<string, string>): RecordedResource => ({
    urn: "urn:pulumi:dev::ai-infra::aws:ec2/vpc:Vpc::v", type: "aws:ec2/vpc:Vpc", name: "v", custom: true, inputs: { tags }, secretPaths: [],
    protect: false, ignoreChanges: [], dependencies: [],
});

/** The properties the pack requires, so each test states only what it is about. */
const required = { "spot-outside-prod": { environment: "dev" }, "scale-to-zero-outside-prod": { environment: "dev" } };

describe("policy config and judging", () => {
    it("applies levels: own entry over `all` over the policy's default", () => {
        assert.equal(resolvePolicyConfig({ ...required, "chargeback-tags": { environment: "dev" } }, policies).get("chargeback-tags")?.enforcementLevel, "mandatory");
        assert.equal(resolvePolicyConfig({ ...required, all: "advisory", "chargeback-tags": { environment: "dev" } }, policies).get("chargeback-tags")?.enforcementLevel, "advisory");
        assert.equal(resolvePolicyConfig({ ...required, all: "advisory", "chargeback-tags": { enforcementLevel: "remediate", environment: "dev" } }, policies).get("chargeback-tags")?.enforcementLevel, "remediate");
    });

    it("fills schema defaults and rejects missing required properties", () => {
        const cfg = resolvePolicyConfig({ ...required, "chargeback-tags": { environment: "dev" } }, policies).get("chargeback-tags");
        assert.deepEqual(cfg?.properties.requiredTags, ["team", "cost-center", "environment", "owner", "managed-by"]);
        assert.throws(() => resolvePolicyConfig({ ...required, "chargeback-tags": {} }, policies), (e: unknown) => e instanceof PolicyConfigError && /must have required property 'environment'/.test(e.message));
        assert.throws(() => resolvePolicyConfig({ ...required, "chargeback-tags": { environment: "qa" } }, policies), /environment must be equal to one of the allowed values/);
        assert.throws(() => resolvePolicyConfig([], policies), /must be a JSON object/);
    });

    it("remediates, then validates what is left as mandatory", async () => {
        const config = resolvePolicyConfig({ ...required, "chargeback-tags": { enforcementLevel: "remediate", environment: "dev" } }, policies);
        const result = await judge([vpc({ team: "a", "cost-center": "c", owner: "o" })], policies, config);
        assert.deepEqual(result.remediations, [{ policy: "chargeback-tags", urn: "urn:pulumi:dev::ai-infra::aws:ec2/vpc:Vpc::v", changed: ["tags"] }]);
        assert.deepEqual(result.violations, []);
        const stillMissing = await judge([vpc({ owner: "o" })], policies, config);
        assert.deepEqual(stillMissing.violations.map((v) => [v.enforcementLevel, v.message]), [
            ["mandatory", 'aws:ec2/vpc:Vpc "v" tag "team" is missing (required: team, cost-center, environment, owner, managed-by)'],
            ["mandatory", 'aws:ec2/vpc:Vpc "v" tag "cost-center" is missing (required: team, cost-center, environment, owner, managed-by)'],
        ]);
    });

    it("validates a disabled policy's config as the CLI does", () => {
        assert.throws(() => resolvePolicyConfig({ ...required, "chargeback-tags": "disabled" }, policies), /"chargeback-tags": must have required property 'environment'/);
    });

    it("skips disabled policies and reports a throwing policy as a mandatory violation", async () => {
        const disabled = resolvePolicyConfig({ ...required, "chargeback-tags": { enforcementLevel: "disabled", environment: "dev" } }, policies);
        assert.deepEqual((await judge([vpc({})], policies, disabled)).violations, []);
        const exploding = [{ name: "boom", description: "d", enforcementLevel: "advisory" as const, validateResource: () => { throw new Error("kaput"); } }];
        const result = await judge([vpc({})], exploding, resolvePolicyConfig({}, exploding));
        assert.deepEqual(result.violations.map((v) => [v.policy, v.enforcementLevel]), [["boom", "mandatory"]]);
        assert.match(result.violations[0].message, /policy boom threw while validating .*: kaput/);
    });
});

describe("recorded provider references", () => {
    it("resolve to the provider resource, so policies see a provider's default tags", async () => {
        const { declare } = await import("../helpers");
        const aws = await import("@pulumi/aws");
        const resources = await declare(() => {
            const provider = new aws.Provider("tagged", { region: "us-east-1", defaultTags: { tags: { team: "a", "cost-center": "c", environment: "dev", owner: "o@x.io", "managed-by": "pulumi" } } });
            new aws.ec2.Vpc("v", { cidrBlock: "10.0.0.0/16" }, { provider });
        });
        const vpc = resources.find((r) => r.type === "aws:ec2/vpc:Vpc")!;
        assert.ok(vpc.provider?.startsWith(resources.find((r) => r.type === "pulumi:providers:aws")!.urn));
        const config = resolvePolicyConfig({ ...required, "chargeback-tags": { environment: "dev" } }, policies);
        const result = await judge(resources, policies, config);
        assert.deepEqual(result.violations.filter((v) => v.policy === "chargeback-tags"), []);
    });
});
