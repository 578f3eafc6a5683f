import { strict as assert } from "assert";
import * as path from "path";
import { readStackFile } from "../../plan/stackFile";
import { Cluster } from "../../components/cluster";
import { parseStackConfig } from "../../components/config";
import { parseCluster } from "../../components/configCluster";
import {
    daysToEndOfStandard, DEFAULT_KUBERNETES_VERSION, eksVersion, EKS_VERSIONS, EKS_VERSIONS_AS_OF, newestInStandardSupport, parseIsoDate, supportPhase, upgradeSupportType,
} from "../../components/eksVersions";
import { clusterAutoscalerRelease, clusterAutoscalerValues } from "../../components/gpuScheduling";
import { Platform } from "../../components/platform";
import { Checker } from "../../components/validate";
import { baseConfig, declare, one, ofType } from "../helpers";

const d = (s: string) => parseIsoDate(s)!;

function clusterProblems(value: unknown, today: string, env: "dev" | "prod" = "dev"): string[] {
    const c = new Checker();
    parseCluster(c, value, env, d(today));
    return c.problems.map((p) => p.message);
}

describe("EKS version table", () => {
    it("holds the dates the EKS lifecycle page gives, and 14 + 12 months per minor", () => {
        assert.deepEqual([eksVersion("1.33")?.endOfStandard, eksVersion("1.34")?.endOfStandard, eksVersion("1.35")?.endOfStandard, eksVersion("1.35")?.endOfExtended],
            ["2026-07-29", "2026-12-02", "2027-03-27", "2028-03-27"]);
        for (const v of EKS_VERSIONS) {
            const months = (a: string, b: string) => (Number(b.slice(0, 4)) - Number(a.slice(0, 4))) * 12 + Number(b.slice(5, 7)) - Number(a.slice(5, 7));
            assert.equal(months(v.endOfStandard, v.endOfExtended), 12, v.minor);
            assert.ok(months(v.released, v.endOfStandard) >= 13 && months(v.released, v.endOfStandard) <= 14, v.minor);
            assert.match(v.clusterAutoscaler.image, new RegExp(`^v${v.minor.replace(".", "\\.")}\\.\\d+$`), "the autoscaler image is of the same minor");
        }
    });

    it("defaults to the newest minor in standard support on the table's as-of date (1.35 on 2026-11-26)", () => {
        assert.equal(EKS_VERSIONS_AS_OF, "2026-11-26");
        assert.equal(DEFAULT_KUBERNETES_VERSION, newestInStandardSupport(d(EKS_VERSIONS_AS_OF))!.minor);
        assert.equal(DEFAULT_KUBERNETES_VERSION, "1.35");
        // Before 1.35 was released, 1.34 was the newest; once all have left standard support there is none.
        assert.equal(newestInStandardSupport(d("2026-01-27"))?.minor, "1.34");
        assert.equal(newestInStandardSupport(d("2027-03-27")), undefined);
    });

    it("tells the support phase at its boundaries", () => {
        const v134 = eksVersion("1.34")!;
        assert.equal(supportPhase(v134, d("2026-12-01")), "standard");
        assert.equal(supportPhase(v134, d("2026-12-02")), "extended");
        assert.equal(supportPhase(v134, d("2027-12-02")), "ended");
        assert.equal(supportPhase(eksVersion("1.35")!, d("2026-01-27")), "unreleased");
        assert.equal(daysToEndOfStandard(v134, d("2026-11-26")), 6);
        assert.equal(upgradeSupportType(v134, d("2026-11-26")), "STANDARD");
        assert.equal(upgradeSupportType(eksVersion("1.33")!, d("2026-11-26")), "EXTENDED");
        assert.equal(parseIsoDate("2026-02-30"), undefined);
    });
});

describe("cluster.version validation", () => {
    it("plans the bundled stacks on the default minor (dev and staging follow it, prod pins it)", () => {
        for (const stack of ["dev", "staging", "prod"]) {
            const { config } = readStackFile(path.join(__dirname, "..", "..", "stacks", `Pulumi.${stack}.yaml`), "ai-infra");
            assert.equal(parseStackConfig(config).cluster.version, DEFAULT_KUBERNETES_VERSION, stack);
        }
    });

    it("accepts a minor in standard or extended support and defaults to the table's", () => {
        assert.deepEqual(clusterProblems({ name: "a", version: "1.33" }, "2026-11-26"), []);
        assert.equal(parseStackConfig(baseConfig()).cluster.version, DEFAULT_KUBERNETES_VERSION);
    });

    it("rejects unknown minors, minors past extended support and unreleased ones, naming the key", () => {
        assert.deepEqual(clusterProblems({ name: "a", version: "1.36" }, "2026-11-26"), [
            'ai-infra:cluster.version: "1.36" is not allowed: is not in the EKS version table (as of 2026-11-26): supported are 1.32, 1.33, 1.34, 1.35',
        ]);
        assert.deepEqual(clusterProblems({ name: "a", version: "1.32" }, "2027-03-23"), [
            'ai-infra:cluster.version: "1.32" is not allowed: left EKS extended support on 2027-03-23 (EKS upgrades such clusters automatically): use 1.35',
        ]);
        assert.deepEqual(clusterProblems({ name: "a", version: "1.35" }, "2026-01-01"), ['ai-infra:cluster.version: "1.35" is not allowed: is not released on EKS until 2026-01-28']);
        assert.match(clusterProblems({ name: "a", version: "1.31" }, "2026-11-26")[0], /^ai-infra:cluster\.version: "1\.31" is not allowed: must be at least 1\.32/);
        assert.match(clusterProblems({ name: "a", version: 1.3 }, "2026-11-26")[0], /^ai-infra:cluster\.version: /);
    });
});

describe("version-dependent pins follow the table", () => {
    it("picks the autoscaler chart and image of the cluster's minor", () => {
        assert.deepEqual(clusterAutoscalerRelease("1.35"), { chart: "9.59.0", image: "v1.35.2" });
        assert.deepEqual(clusterAutoscalerRelease("1.34"), { chart: "9.53.0", image: "v1.34.5" });
        assert.throws(() => clusterAutoscalerRelease("1.99"), /not in the EKS version table/);
        assert.equal((clusterAutoscalerValues("c", "us-east-1", "1.33") as { image: { tag: string } }).image.tag, "v1.33.6");
    });

    it("moves the cluster, node groups, autoscaler and upgrade policy with one cluster.version edit", async () => {
        for (const [version, chart, image] of [["1.34", "9.53.0", "v1.34.5"], ["1.35", "9.59.0", "v1.35.2"]]) {
            const resources = await declare(() => new Platform("ai", { config: parseStackConfig(baseConfig({ "ai-infra:cluster": { name: "ai-test", version } })) }));
            assert.equal(one(resources, "aws:eks/cluster:Cluster").inputs.version, version);
            const gpuGroups = ofType(resources, "aws:eks/nodeGroup:NodeGroup").filter((g) => g.inputs.nodeGroupName !== "system");
            assert.ok(gpuGroups.length > 0 && gpuGroups.every((g) => g.inputs.version === version));
            const ca = ofType(resources, "kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "cluster-autoscaler")!;
            assert.deepEqual([ca.inputs.version, (ca.inputs.values as { image: { tag: string } }).image.tag], [chart, image]);
            // Add-ons carry no version: EKS installs its default for the cluster's minor.
            assert.ok(ofType(resources, "aws:eks/addon:Addon").every((a) => a.inputs.addonVersion === undefined));
        }
    });

    it("sets the upgrade policy from the version's phase on the given day", async () => {
        const config = parseStackConfig(baseConfig({ "ai-infra:cluster": { name: "ai-test", version: "1.33" } })).cluster;
        const tags = { team: "platform", "cost-center": "C", environment: "dev", owner: "o@x.io", "managed-by": "pulumi" };
        const policy = async (today: string) => {
            const r = await declare(() => new Cluster("eks", { config, environment: "dev", tags, subnetIds: ["subnet-a", "subnet-b"], today: d(today) }));
            return one(r, "aws:eks/cluster:Cluster").inputs.upgradePolicy;
        };
        assert.deepEqual(await policy("2026-07-28"), { supportType: "STANDARD" });
        assert.deepEqual(await policy("2026-07-29"), { supportType: "EXTENDED" });
    });
});
