import { strict as assert } from "assert";
import { policies } from "../../policies/pack";
import { PolicyConfigKeyError, unknownConfigKeys } from "../../policies/configKeys";
import { resourceArgs, stackResource } from "./helpers";

const byName = (name: string) => policies.find((p) => p.name === name)!;

describe("config typos under the real CLI (each policy checks its own keys)", () => {
    it("a resource policy given a misspelt optional key fails instead of silently using the default", async () => {
        const allowlist = byName("gpu-instance-allowlist") as { validateResource: (a: unknown, r: () => void) => unknown };
        const args = resourceArgs("aws:eks/nodeGroup:NodeGroup", { instanceTypes: ["g6.xlarge"] }, { allowedInstanceType: ["g6.*"] });
        assert.throws(() => allowlist.validateResource(args, () => undefined), (e: unknown) => e instanceof PolicyConfigKeyError
            && /"gpu-instance-allowlist\.allowedInstanceType" is not a setting of this policy; it takes allowedInstanceTypes/.test(e.message));
        assert.doesNotThrow(() => allowlist.validateResource(resourceArgs("aws:eks/nodeGroup:NodeGroup", {}, { allowedInstanceTypes: ["g6.*"] }), () => undefined));
    });

    it("a stack policy too, and a moved key says where it went", async () => {
        const quota = byName("gpu-quota") as { validateStack: (a: unknown, r: () => void) => unknown };
        const args = { resources: [stackResource("aws:ec2/vpc:Vpc", "v", {})], stackTags: new Map(), getConfig: () => ({ maxGpusPerTeams: {} }), notApplicable: () => undefined };
        assert.throws(() => quota.validateStack(args, () => undefined), /"gpu-quota\.maxGpusPerTeams" is not a setting/);
        assert.match(unknownConfigKeys(byName("chargeback-tags"), { environment: "dev", knownTeams: [] })[0], /moved to chargeback-teams\.knownTeams/);
        assert.match(unknownConfigKeys(byName("cost-within-budget"), { region: "us-east-1" })[0], /priced in its provider's region/);
    });

    it("a policy without settings accepts none", () => {
        assert.match(unknownConfigKeys(byName("cache-encryption"), { strict: true })[0], /it takes only enforcementLevel/);
        assert.deepEqual(unknownConfigKeys(byName("cache-encryption"), {}), []);
    });
});
