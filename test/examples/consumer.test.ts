import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { RecordedResource } from "../../plan/mockRuntime";

const ROOT = path.resolve(__dirname, "..", "..");
const EXAMPLE = path.join(ROOT, "examples", "consumer");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

interface ConsumerRun {
    components: string;
    resources: RecordedResource[];
    outputs: Record<string, unknown>;
}

// The package as another team gets it: packed from components/ (its prepack compiles JS and .d.ts from
// the sources of this checkout), installed into a scratch copy of examples/consumer, type-checked against
// the shipped declarations and run under the mock runtime. The scratch copy sits inside the repository so
// that the peer dependencies (@pulumi/*) resolve to the root node_modules, as hoisted peers would.
describe("examples/consumer: a program built from the packed @ai-infra/components", function () {
    this.timeout(240_000);
    let work: string;
    let tarball: string;
    let files: string[];
    let run: ConsumerRun;

    before(function () {
        fs.mkdirSync(path.join(ROOT, ".scratch"), { recursive: true });
        work = fs.mkdtempSync(path.join(ROOT, ".scratch", "consumer-"));
        const packed = JSON.parse(execFileSync(NPM, ["pack", "--json", "--pack-destination", work, "./components"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
        tarball = path.join(work, packed[0].filename);
        files = packed[0].files.map((f: { path: string }) => f.path);
        const app = path.join(work, "app");
        fs.mkdirSync(app);
        for (const file of ["index.ts", "tsconfig.json", "Pulumi.yaml"]) fs.copyFileSync(path.join(EXAMPLE, file), path.join(app, file));
        // Only the tarball and its own dependencies are installed; the example's @pulumi/* dependencies are
        // the repository's (peers), so the program and the package share one Pulumi runtime.
        fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "consumer-under-test", version: "0.0.0", private: true }));
        execFileSync(NPM, ["install", "--no-save", "--no-package-lock", "--prefer-offline", "--legacy-peer-deps", "--ignore-scripts", "--no-audit", "--no-fund", tarball],
            { cwd: app, stdio: ["ignore", "pipe", "pipe"] });
        execFileSync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", path.join(app, "tsconfig.json")], { cwd: app, stdio: ["ignore", "pipe", "pipe"] });
        const out = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "test", "examples", "consumerRunner.ts"), app],
            { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
        run = JSON.parse(out);
    });

    after(() => {
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it("ships compiled JavaScript and declarations only, and leaves no build behind in components/", () => {
        assert.ok(files.includes("dist/index.js") && files.includes("dist/index.d.ts"), files.join(", "));
        assert.ok(files.includes("dist/gpuNodeGroup.d.ts"));
        const stray = files.filter((f) => f !== "package.json" && f !== "README.md" && !/^dist\/.*\.(js|d\.ts)$/.test(f));
        assert.deepEqual(stray, []);
        assert.ok(!files.some((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")), "no TypeScript sources in the tarball");
        assert.ok(!fs.existsSync(path.join(ROOT, "components", "dist")), "postpack removes components/dist");
        assert.ok(fs.existsSync(tarball));
    });

    it("runs the installed package, not the repository's sources", () => {
        assert.ok(run.components.includes(`${path.sep}node_modules${path.sep}@ai-infra${path.sep}components${path.sep}dist${path.sep}index.js`), run.components);
        assert.ok(run.components.startsWith(work), run.components);
    });

    it("declares one spot GPU node group that carries the team's chargeback tags", () => {
        const groups = run.resources.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup");
        assert.equal(groups.length, 1);
        const group = groups[0].inputs as { capacityType: string; clusterName: string; scalingConfig: { minSize: number; maxSize: number }; tags: Record<string, string>; labels: Record<string, string> };
        assert.equal(group.capacityType, "SPOT");
        assert.equal(group.clusterName, "ai-dev");
        assert.deepEqual({ min: group.scalingConfig.minSize, max: group.scalingConfig.maxSize }, { min: 0, max: 2 });
        assert.deepEqual(
            { team: group.tags.team, costCenter: group.tags["cost-center"], environment: group.tags.environment, owner: group.tags.owner, managedBy: group.tags["managed-by"] },
            { team: "vision", costCenter: "CC-3003", environment: "dev", owner: "vision@example.com", managedBy: "pulumi" },
        );
        const template = run.resources.find((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate");
        assert.ok(template, "the group's launch template");
        assert.equal(run.outputs.maxGpus, 2);
        const componentTypes = new Set(run.resources.filter((r) => !r.custom).map((r) => r.type));
        assert.ok(componentTypes.has("ai-infra:nodegroup:GpuNodeGroup"), [...componentTypes].join(", "));
    });

    it("declares the team's monthly budget on its team tag, with warning and critical notifications", () => {
        const budgets = run.resources.filter((r) => r.type === "aws:budgets/budget:Budget");
        const team = budgets.find((b) => JSON.stringify(b.inputs.costFilters).includes("user:team$vision"));
        assert.ok(team, `a budget filtered on team=vision among ${budgets.map((b) => b.name).join(", ")}`);
        const inputs = team.inputs as { limitAmount: string; timeUnit: string; notifications: { threshold: number; subscriberEmailAddresses: string[] }[]; tags: Record<string, string> };
        assert.equal(inputs.limitAmount, "1500.00");
        assert.equal(inputs.timeUnit, "MONTHLY");
        assert.deepEqual(inputs.notifications.map((n) => n.threshold).slice(0, 2), [70, 90]);
        assert.deepEqual(inputs.notifications[0].subscriberEmailAddresses, ["vision@example.com"]);
        assert.equal(inputs.tags.team, "vision");
        assert.equal(run.resources.filter((r) => r.type === "aws:costexplorer/costAllocationTag:CostAllocationTag").length, 0);
    });
});
