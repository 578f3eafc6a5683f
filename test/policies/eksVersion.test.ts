import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { eksVersionSupport } from "../../policies/eksVersion";
import { resolvePolicyConfig, PolicyConfigError } from "../../plan/policyConfig";
import { resourceArgs, violations } from "./helpers";

const EKS = "aws:eks/cluster:Cluster";
const check = (version: unknown, config: object) => violations(eksVersionSupport, resourceArgs(EKS, { version, upgradePolicy: { supportType: "STANDARD" } }, config, "ai-prod"));

describe("eks-version-support", () => {
    it("passes a minor in standard support beyond the warning window, and ignores other resources", async () => {
        assert.deepEqual(await check("1.35", { asOf: "2026-11-26", warningDays: 90 }), []);
        assert.deepEqual(await violations(eksVersionSupport, resourceArgs("aws:eks/nodeGroup:NodeGroup", { version: "1.20" }, { asOf: "2026-11-26" })), []);
    });

    it("flags a minor within warningDays of the end of standard support, at the boundary", async () => {
        // 1.35 leaves standard support on 2027-03-27: 90 days before is 2026-12-27.
        assert.deepEqual(await check("1.35", { asOf: "2026-12-26", warningDays: 90 }), []);
        assert.deepEqual(await check("1.35", { asOf: "2026-12-27", warningDays: 90 }), [
            'aws:eks/cluster:Cluster "ai-prod" Kubernetes 1.35 leaves standard support on 2027-03-27, 90 days after 2026-12-27 (warning at 90): add the next minor to components/eksVersions.ts and upgrade to it',
        ]);
        assert.deepEqual(await check("1.34", { asOf: "2026-11-26", warningDays: 6 }), [
            'aws:eks/cluster:Cluster "ai-prod" Kubernetes 1.34 leaves standard support on 2026-12-02, 6 days after 2026-11-26 (warning at 6): upgrade to 1.35',
        ]);
        assert.deepEqual(await check("1.34", { asOf: "2026-11-26", warningDays: 5 }), []);
    });

    it("flags a minor past standard support, past extended support, unknown or missing", async () => {
        assert.deepEqual(await check("1.33", { asOf: "2026-11-26" }), [
            'aws:eks/cluster:Cluster "ai-prod" Kubernetes 1.33 left standard support on 2026-07-29 (extended support until 2027-07-29 bills the control plane at 6x): upgrade to 1.35',
        ]);
        assert.match((await check("1.32", { asOf: "2027-03-23" }))[0], /left extended support on 2027-03-23; EKS upgrades it automatically/);
        assert.match((await check("1.99", { asOf: "2026-11-26" }))[0], /version "1\.99" is not in the EKS version table/);
        assert.match((await check(undefined, { asOf: "2026-11-26" }))[0], /version null is not in the EKS version table/);
        assert.deepEqual(await check("1.35", { asOf: "2026-13-01" }), ['eks-version-support: asOf "2026-13-01" is not a YYYY-MM-DD date']);
    });

    it("defaults to 90 warning days and today, and its config rejects bad values naming them", () => {
        const resolved = resolvePolicyConfig({ "eks-version-support": { enforcementLevel: "mandatory" } }, [eksVersionSupport]);
        assert.equal(resolved.get("eks-version-support")!.properties.warningDays, 90);
        assert.throws(() => resolvePolicyConfig({ "eks-version-support": { warningDays: -1 } }, [eksVersionSupport]), (e: unknown) => e instanceof PolicyConfigError && /"eks-version-support": warningDays must be >= 0/.test(e.message));
        assert.throws(() => resolvePolicyConfig({ "eks-version-support": { asOf: "tomorrow" } }, [eksVersionSupport]), (e: unknown) => e instanceof PolicyConfigError && /"eks-version-support": asOf must match pattern/.test(e.message));
    });

    it("is mandatory in prod with a warning window, advisory elsewhere", () => {
        const cfg = (env: string) => JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "policies", "config", `${env}.json`), "utf8"))["eks-version-support"];
        assert.deepEqual(cfg("prod"), { enforcementLevel: "mandatory", warningDays: 90 });
        assert.equal(cfg("dev").enforcementLevel, "advisory");
        assert.equal(cfg("staging").enforcementLevel, "advisory");
    });
});
