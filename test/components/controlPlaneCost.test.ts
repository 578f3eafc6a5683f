import { strict as assert } from "assert";
import { controlPlaneMonth } from "../../components/controlPlaneCost";
import { parseIsoDate } from "../../components/eksVersions";
import { estimateCost } from "../../lib/cost";

const d = (s: string) => parseIsoDate(s)!;
const round = (n: number) => Math.round(n * 100) / 100;

describe("EKS control-plane pricing by support phase", () => {
    it("bills standard support at $0.10/h and a minor past it at $0.60/h unless the policy is STANDARD", () => {
        assert.deepEqual(controlPlaneMonth("1.35", "STANDARD", d("2026-11-26")), { usd: 73, extendedHours: 0 });
        assert.deepEqual(controlPlaneMonth("1.33", "EXTENDED", d("2026-11-26")), { usd: 438, extendedHours: 730 });
        // No upgrade policy: EKS's default is EXTENDED.
        assert.equal(controlPlaneMonth("1.33", undefined, d("2026-11-26")).usd, 438);
        // STANDARD on a minor past it: EKS upgrades instead of billing extended support.
        assert.equal(controlPlaneMonth("1.33", "STANDARD", d("2026-11-26")).usd, 73);
        // A minor in standard support with an EXTENDED policy pays nothing extra yet.
        assert.equal(controlPlaneMonth("1.35", "EXTENDED", d("2026-11-26")).usd, 73);
    });

    it("prorates the month in which a minor leaves standard support", () => {
        // 1.34 leaves standard support on 2026-12-02: 6 days (144 h) standard, 586 h extended.
        const m = controlPlaneMonth("1.34", "EXTENDED", d("2026-11-26"));
        assert.equal(m.extendedHours, 730 - 144);
        assert.equal(round(m.usd), round(144 * 0.1 + 586 * 0.6));
    });

    it("is what the plan's estimate shows for a cluster line", () => {
        const est = estimateCost([{ urn: "u", type: "aws:eks/cluster:Cluster", props: { version: "1.33", upgradePolicy: { supportType: "EXTENDED" }, tags: { team: "platform" } } }],
            { region: "us-east-1", asOf: d("2026-11-26") });
        assert.equal(est.monthly.max, 438);
        assert.match(est.lines[0].description, /EKS control plane 1\.33 \(extended support 730 of 730 h\)/);
    });
});
