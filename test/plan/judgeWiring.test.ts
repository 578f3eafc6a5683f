import { strict as assert } from "assert";
import { Policies, PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import * as aws from "@pulumi/aws";
import { judge } from "../../plan/judge";
import { RecordedResource } from "../../plan/mockRuntime";
import { resolvePolicyConfig } from "../../plan/policyConfig";
import { policies } from "../../policies/pack";

const VPC = "aws:ec2/vpc:Vpc";
const SUBNET = "aws:ec2/subnet:Subnet";
const urn = (type: string, name: string) => `urn:pulumi:dev::ai-infra::${type}::${name}`;
function res(type: string, name: string, inputs: Record<string, unknown>, over: Partial<RecordedResource> = {}): RecordedResource {
    return { urn: urn(type, name), type, name, custom: true, inputs, secretPaths: [], protect: false, ignoreChanges: [], dependencies: [], ...over };
}

/** A resource policy that records what judge hands it. */
function recorder(name: string, seen: ResourceValidationArgs[], over: Partial<ResourceValidationPolicy> = {}): ResourceValidationPolicy {
    return { name, description: "d", enforcementLevel: "advisory", validateResource: (args) => { seen.push(args); }, ...over };
}

describe("judge: how resources reach the policies", () => {
    it("validates custom resources only, with their options, type tests and provider", async () => {
        const seen: ResourceValidationArgs[] = [];
        const provider = res("pulumi:providers:aws", "p", { region: "eu-west-1" });
        const vpc = res(VPC, "v", { cidrBlock: "10.0.0.0/16" }, { protect: true, ignoreChanges: ["tags"], parent: "urn:stack", provider: `${provider.urn}::id-1` });
        const component = res("ai-infra:x:Thing", "c", {}, { custom: false });
        const result = await judge([provider, vpc, component], [recorder("rec", seen)], new Map());
        assert.deepEqual(seen.map((a) => a.name), ["p", "v"]);
        assert.equal(result.checks, 2);
        const args = seen[1];
        assert.deepEqual(args.opts, {
            protect: true, ignoreChanges: ["tags"], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: [], parent: "urn:stack",
        });
        assert.deepEqual(args.provider, { type: "pulumi:providers:aws", props: { region: "eu-west-1" }, urn: provider.urn, name: "p" });
        assert.equal(seen[0].provider, undefined, "a provider has no provider");
        assert.equal(args.isType(aws.ec2.Vpc), true);
        assert.equal(args.isType(aws.ec2.Subnet), false);
        assert.deepEqual(args.asType(aws.ec2.Vpc), { cidrBlock: "10.0.0.0/16" });
        assert.equal(args.asType(aws.ec2.Subnet), undefined);
    });

    it("gives a resource that names no provider its package's default provider, and every policy the stack tags", async () => {
        const seen: ResourceValidationArgs[] = [];
        let stackSeen: ReadonlyMap<string, string> | undefined;
        const stack: StackValidationPolicy = { name: "s", description: "d", enforcementLevel: "advisory", validateStack: (args) => { stackSeen = args.stackTags; } };
        const def = { type: "pulumi:providers:aws", props: { region: "eu-west-1" }, urn: "urn:pulumi:dev::ai-infra::pulumi:providers:aws::default", name: "default" };
        const tags = new Map([["team", "a"]]);
        await judge([res(VPC, "v", {}), res("pulumi:providers:aws", "p", {})], [recorder("rec", seen), stack], new Map(), tags, new Map([["aws", def]]));
        assert.deepEqual(seen.map((a) => a.provider), [def, undefined]);
        assert.equal(seen[0].stackTags, tags);
        assert.equal(stackSeen, tags);
    });

    it("counts every validation function and every stack policy as a check", async () => {
        const two: ResourceValidationPolicy = { name: "two", description: "d", enforcementLevel: "advisory", validateResource: [() => undefined, () => undefined] };
        const stack: StackValidationPolicy = { name: "s", description: "d", enforcementLevel: "advisory", validateStack: () => undefined };
        const r = await judge([res(VPC, "a", {}), res(VPC, "b", {})], [two, stack], new Map());
        assert.equal(r.checks, 5);
        assert.deepEqual(r.violations, []);
    });

    it("reports at the configured level, on the resource unless the policy names another URN", async () => {
        const p: ResourceValidationPolicy = {
            name: "p", description: "d", enforcementLevel: "advisory",
            validateResource: (args, report) => { report("own"); report("other", "urn:other"); },
        };
        const cfg = resolvePolicyConfig({ p: "mandatory" }, [p]);
        const r = await judge([res(VPC, "v", {})], [p], cfg);
        assert.deepEqual(r.violations, [
            { policy: "p", enforcementLevel: "mandatory", urn: urn(VPC, "v"), message: "own" },
            { policy: "p", enforcementLevel: "mandatory", urn: "urn:other", message: "other" },
        ]);
        const byDefault = await judge([res(VPC, "v", {})], [p], new Map());
        assert.deepEqual(byDefault.violations.map((v) => v.enforcementLevel), ["advisory", "advisory"]);
        const noLevel = await judge([res(VPC, "v", {})], [{ ...p, enforcementLevel: undefined }], new Map());
        assert.deepEqual(noLevel.violations.map((v) => v.enforcementLevel), ["advisory", "advisory"]);
    });

    it("treats notApplicable as silence, with or without a reason, and any other throw as a mandatory violation", async () => {
        const quiet: ResourceValidationPolicy = { name: "q", description: "d", enforcementLevel: "advisory", validateResource: (args, report) => { args.notApplicable(); report("after notApplicable"); } };
        const quietWhy: ResourceValidationPolicy = { name: "w", description: "d", enforcementLevel: "advisory", validateResource: (args) => { args.notApplicable("not mine"); } };
        const stackQuiet: StackValidationPolicy = { name: "sq", description: "d", enforcementLevel: "advisory", validateStack: (args) => { args.notApplicable("n/a"); } };
        const stackBoom: StackValidationPolicy = { name: "sb", description: "d", enforcementLevel: "advisory", validateStack: () => { throw "plain"; } };
        const r = await judge([res(VPC, "v", {})], [quiet, quietWhy, stackQuiet, stackBoom], new Map());
        assert.deepEqual(r.violations, [{ policy: "sb", enforcementLevel: "mandatory", urn: undefined, message: "policy sb threw while validating the stack: plain" }]);
        assert.equal(r.checks, 4);
    });

    it("gives stack policies parents and dependencies as resources, skipping URNs it never recorded", async () => {
        let seen: PolicyResource[] = [];
        const stack: StackValidationPolicy = { name: "s", description: "d", enforcementLevel: "advisory", validateStack: (args) => { seen = args.resources; } };
        const vpc = res(VPC, "v", { cidrBlock: "10.0.0.0/16" });
        const subnet = res(SUBNET, "s", {}, { parent: vpc.urn, dependencies: [vpc.urn, "urn:unknown"] });
        await judge([vpc, subnet], [stack], new Map());
        const [v, s] = seen;
        assert.equal(s.parent, v);
        assert.equal(v.parent, undefined);
        assert.deepEqual(s.dependencies, [v]);
        assert.deepEqual(v.dependencies, []);
        assert.equal(v.isType(aws.ec2.Vpc), true);
        assert.equal(v.isType(aws.ec2.Subnet), false);
        assert.deepEqual(v.asType(aws.ec2.Vpc), { cidrBlock: "10.0.0.0/16" });
        assert.equal(v.asType(aws.ec2.Subnet), undefined);
    });

    it("passes each policy its own config properties", async () => {
        const got: unknown[] = [];
        const p: ResourceValidationPolicy = {
            name: "p", description: "d", enforcementLevel: "advisory",
            configSchema: { properties: { limit: { type: "number", default: 3 } } },
            validateResource: (args) => { got.push(args.getConfig()); },
        };
        await judge([res(VPC, "v", {})], [p], resolvePolicyConfig({ p: { limit: 5 } }, [p]));
        await judge([res(VPC, "v", {})], [p], resolvePolicyConfig({}, [p]));
        await judge([res(VPC, "v", {})], [p], new Map());
        assert.deepEqual(got, [{ limit: 5 }, { limit: 3 }, {}]);
    });
});

describe("judge: remediation", () => {
    const addTag: ResourceValidationPolicy = {
        name: "fix", description: "d", enforcementLevel: "advisory",
        remediateResource: (args) => ({ ...args.props, tags: { team: "a" } }),
        validateResource: (args, report) => { if (!(args.props.tags as Record<string, string> | undefined)?.team) report("no team tag"); },
    };
    const seesTags: StackValidationPolicy = {
        name: "see", description: "d", enforcementLevel: "advisory",
        validateStack: (args, report) => { for (const r of args.resources) report(JSON.stringify(r.props.tags ?? null)); },
    };

    it("applies a fix only at the remediate level; later policies then see the fixed props", async () => {
        const vpc = res(VPC, "v", { cidrBlock: "10.0.0.0/16" });
        const fixed = await judge([vpc], [addTag, seesTags], resolvePolicyConfig({ fix: "remediate" }, [addTag, seesTags]));
        assert.deepEqual(fixed.remediations, [{ policy: "fix", urn: vpc.urn, changed: ["tags"] }]);
        assert.deepEqual(fixed.violations.map((v) => [v.policy, v.message]), [["see", '{"team":"a"}']]);
        assert.deepEqual(vpc.inputs, { cidrBlock: "10.0.0.0/16" }, "the recorded inputs are not mutated");

        for (const level of ["mandatory", "advisory"] as const) {
            const r = await judge([vpc], [addTag, seesTags], resolvePolicyConfig({ fix: level }, [addTag, seesTags]));
            assert.deepEqual(r.remediations, [], level);
            assert.deepEqual(r.violations.map((v) => [v.policy, v.enforcementLevel, v.message]), [["fix", level, "no team tag"], ["see", "advisory", "null"]], level);
        }
    });

    it("the real chargeback-tags remediation runs only at remediate, never at mandatory", async () => {
        const required = { "spot-outside-prod": { environment: "dev" }, "scale-to-zero-outside-prod": { environment: "dev" } };
        const vpc = res(VPC, "v", { tags: { team: "a", "cost-center": "c", owner: "o" } });
        const mandatory = await judge([vpc], policies, resolvePolicyConfig({ ...required, "chargeback-tags": { enforcementLevel: "mandatory", environment: "dev" } }, policies));
        assert.deepEqual(mandatory.remediations, []);
        assert.deepEqual(mandatory.violations.filter((v) => v.policy === "chargeback-tags").map((v) => v.enforcementLevel), ["mandatory", "mandatory"]);
    });

    it("records nothing when the fix changes nothing or returns no object", async () => {
        const same: ResourceValidationPolicy = { name: "same", description: "d", enforcementLevel: "remediate", remediateResource: (args) => ({ ...args.props }) };
        const none: ResourceValidationPolicy = { name: "none", description: "d", enforcementLevel: "remediate", remediateResource: () => undefined };
        const text = { name: "text", description: "d", enforcementLevel: "remediate", remediateResource: () => "x" } as unknown as ResourceValidationPolicy;
        const partly: ResourceValidationPolicy = { name: "partly", description: "d", enforcementLevel: "remediate", remediateResource: (args) => ({ ...args.props, b: 3 }) };
        const list: Policies = [same, none, text, partly];
        const r = await judge([res(VPC, "v", { a: { x: 1 }, b: 2 })], list, new Map());
        assert.deepEqual(r.remediations, [{ policy: "partly", urn: urn(VPC, "v"), changed: ["b"] }]);
        assert.deepEqual(r.violations, []);
        assert.equal(r.checks, 0, "remediation-only policies run no validation");
    });
});
