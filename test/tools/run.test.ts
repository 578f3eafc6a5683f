import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

// Plain JavaScript modules (tools/ makes the TypeScript runnable, so it is not TypeScript itself).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runner = require("../../tools/run.js") as {
    build(root: string, out: string): number;
    outputPath(rel: string, out: string): string;
    ROOT: string;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { lazy } = require("../../tools/lazyLoad.js") as { lazy: (load: () => unknown, interop: "star" | "default" | "plain") => Record<string, unknown> & ((...a: unknown[]) => unknown) };

function tempProject(): { root: string; out: string } {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ai-infra-build-"));
    fs.writeFileSync(path.join(root, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022", module: "commonjs", strict: true, esModuleInterop: true, resolveJsonModule: true } }));
    fs.mkdirSync(path.join(root, "lib", "data"), { recursive: true });
    fs.mkdirSync(path.join(root, "test"));
    fs.writeFileSync(path.join(root, "lib", "a.ts"), `import data from "./data/facts.json";\nexport const answer: number = data.answer;\n`);
    fs.writeFileSync(path.join(root, "lib", "b.ts"), `export const b = 1;\n`);
    fs.writeFileSync(path.join(root, "lib", "data", "facts.json"), `{"answer": 42}`);
    fs.writeFileSync(path.join(root, "test", "a.test.ts"), `throw new Error("tests are not part of the build");\n`);
    return { root, out: path.join(root, ".build") };
}

describe("tools/run.js: the plan's transpile cache", () => {
    it("compiles every source once, copies the JSON it imports, and leaves tests to mocha", () => {
        const { root, out } = tempProject();
        assert.equal(runner.build(root, out), 3);
        const a = require(runner.outputPath("lib/a.ts", out)) as { answer: number };
        assert.equal(a.answer, 42);
        assert.ok(!fs.existsSync(path.join(out, "test")), "test/ is not compiled");
        assert.equal(runner.build(root, out), 0, "nothing changed: nothing rebuilt");
    });

    it("rebuilds exactly what changed and never leaves a deleted source runnable", () => {
        const { root, out } = tempProject();
        runner.build(root, out);
        fs.writeFileSync(path.join(root, "lib", "b.ts"), `export const b = 2;\n`);
        assert.equal(runner.build(root, out), 1);
        assert.match(fs.readFileSync(runner.outputPath("lib/b.ts", out), "utf8"), /exports\.b = 2/);
        fs.rmSync(path.join(root, "lib", "b.ts"));
        runner.build(root, out);
        assert.ok(!fs.existsSync(runner.outputPath("lib/b.ts", out)), "output of a deleted source is removed");
    });

    it("rebuilds everything when the compiler options change", () => {
        const { root, out } = tempProject();
        runner.build(root, out);
        fs.writeFileSync(path.join(root, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2020", module: "commonjs", esModuleInterop: true, resolveJsonModule: true } }));
        assert.equal(runner.build(root, out), 3);
    });

    it("rebuilds a file whose compiled output went missing", () => {
        const { root, out } = tempProject();
        runner.build(root, out);
        fs.rmSync(runner.outputPath("lib/a.ts", out));
        assert.equal(runner.build(root, out), 1);
    });

    it("runs the plan from compiled JavaScript with the same result as under ts-node", async function () {
        this.timeout(60_000);
        const json = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ai-infra-run-")), "plan.json");
        const run = spawnSync(process.execPath, [path.join(runner.ROOT, "tools", "run.js"), "plan/cli.ts", "dev", "--json", json], { cwd: runner.ROOT, encoding: "utf8" });
        assert.equal(run.status, 0, run.stdout + run.stderr);
        const { runPlan } = await import("../../plan/plan");
        const { toJson } = await import("../../plan/report");
        const inProcess = JSON.parse(JSON.stringify(toJson(await runPlan({ stack: "dev" })))) as Record<string, unknown>;
        const compiled = JSON.parse(fs.readFileSync(json, "utf8")) as Record<string, unknown>;
        const normalise = (doc: Record<string, unknown>) => {
            delete doc.elapsedMs;
            (doc.resources as { urn: string }[]).sort((x, y) => x.urn.localeCompare(y.urn));
            return doc;
        };
        assert.deepEqual(normalise(compiled), normalise(inProcess));
    });
});

describe("tools/lazyLoad.js: deferring the SDK's unused modules", () => {
    it("loads a deferred module only when it is used, whatever import helper the SDK compiled to", () => {
        let loads = 0;
        const star = lazy(() => { loads++; return { Arborist: class Arborist {} }; }, "star");
        // __importStar returns an ES-module-looking object as it is.
        const viaStar = star.__esModule ? star : { ...star };
        assert.equal(loads, 0);
        assert.equal(typeof (viaStar as { Arborist: unknown }).Arborist, "function");
        assert.equal(loads, 1);

        const def = lazy(() => { loads++; return (x: number) => x * 2; }, "default");
        // __importDefault wraps a CommonJS module and calls `.default`.
        const viaDefault = def.__esModule ? (def as unknown as { default: (x: number) => number }) : { default: def as unknown as (x: number) => number };
        assert.equal(loads, 1);
        assert.equal(viaDefault.default(21), 42);
        assert.equal(loads, 2);
    });

    it("loads a provider's service modules on first use, and they register their resource types then", function () {
        this.timeout(60_000);
        const script = `
            require("./tools/lazyLoad").deferUnusedSdkModules();
            const aws = require("@pulumi/aws");
            const k8s = require("@pulumi/kubernetes");
            const rpc = require("@pulumi/pulumi/runtime/rpc");
            const loaded = (dir) => Object.keys(require.cache).some((f) => f.includes(dir));
            const before = { ec2: loaded("/@pulumi/aws/ec2/"), sagemaker: loaded("/@pulumi/aws/sagemaker/"), apps: loaded("/@pulumi/kubernetes/apps/"), registered: rpc.getResourceModule("aws", "ec2/launchTemplate", undefined) !== undefined };
            const ctor = typeof aws.ec2.LaunchTemplate;
            const deployment = typeof k8s.apps.v1.Deployment;
            console.log(JSON.stringify({ before, ctor, deployment, after: { ec2: loaded("/@pulumi/aws/ec2/"), sagemaker: loaded("/@pulumi/aws/sagemaker/"), registered: rpc.getResourceModule("aws", "ec2/launchTemplate", undefined) !== undefined } }));`;
        const run = spawnSync(process.execPath, ["-e", script], { cwd: runner.ROOT, encoding: "utf8" });
        assert.equal(run.status, 0, run.stderr);
        const result = JSON.parse(run.stdout) as Record<string, unknown>;
        assert.deepEqual(result, {
            before: { ec2: false, sagemaker: false, apps: false, registered: false },
            ctor: "function", deployment: "function",
            // Used services load and register; the ~240 others never do.
            after: { ec2: true, sagemaker: false, registered: true },
        });
    });

    it("keeps TypeScript and npm's arborist out of a plan, and closure serialisation still works", function () {
        this.timeout(60_000);
        const script = `
            require("./tools/lazyLoad").deferUnusedSdkModules();
            const pulumi = require("@pulumi/pulumi");
            const loaded = (m) => Object.keys(require.cache).some((f) => f.includes("/node_modules/" + m + "/"));
            const before = { typescript: loaded("typescript"), arborist: loaded("@npmcli/arborist"), automation: Object.keys(require.cache).some((f) => f.includes("/@pulumi/pulumi/automation/")) };
            pulumi.runtime.serializeFunction(() => 6 * 7).then((f) => {
                console.log(JSON.stringify({ before, after: loaded("typescript"), text: f.text }));
            });`;
        const run = spawnSync(process.execPath, ["-e", script], { cwd: runner.ROOT, encoding: "utf8" });
        assert.equal(run.status, 0, run.stderr);
        const result = JSON.parse(run.stdout) as { before: Record<string, boolean>; after: boolean; text: string };
        assert.deepEqual(result.before, { typescript: false, arborist: false, automation: false });
        assert.equal(result.after, true, "serialising a closure loads TypeScript on demand");
        assert.match(result.text, /6 \* 7/);
    });
});
