import * as fs from "fs";
import * as yaml from "js-yaml";
import Module from "module";
import * as path from "path";
import { ENVIRONMENTS } from "../components/config";
import { BUDGET_TYPE, budgetTeam } from "../policies/budgetPolicies";
import { packArgs, policies } from "../policies/pack";
import { estimateCost } from "../lib/cost";
import { defaultProviders } from "./defaultProviders";
import { judge } from "./judge";
import { runProgram } from "./mockRuntime";
import { costResources, judgedResources, PlanResult, PROJECT_DIR } from "./plan";
import { readPolicyConfigFile, resolvePolicyConfig } from "./policyConfig";
import { readStackFile, UsageError } from "./stackFile";

/**
 * `npm run plan -- --program DIR [--stack S]`: judge another Pulumi TypeScript program with the pack,
 * offline. It runs under the same mock runtime with its own Pulumi.yaml and stack file (its config and
 * `aws:defaultTags` reach the default providers the policies see), without this project's stack-config
 * validation; invokes the mocks do not know get a generic answer, named in the report.
 *
 * Blind spots, said out loud in the README: remote (multi-language) components such as @pulumi/eks v3 or
 * awsx register no children under mocks, so their node groups are invisible; preview-time unknowns are
 * known here; a real `pulumi preview --policy-pack` remains the final word.
 */

export interface ProgramPlanOptions {
    /** The program's directory (holds Pulumi.yaml). */
    dir: string;
    /** Its stack; default the only `Pulumi.<stack>.yaml` it has. */
    stack?: string;
    /** Policy config; default policies/config/<stack>.json when the stack is named dev, staging or prod. */
    policyConfigFile?: string;
}

interface ProjectFile {
    name?: unknown;
    runtime?: unknown;
    main?: unknown;
    stackConfigDir?: unknown;
    config?: unknown;
}

function readProject(dir: string): ProjectFile & { name: string } {
    const file = path.join(dir, "Pulumi.yaml");
    if (!fs.existsSync(file)) throw new UsageError(`--program ${dir}: no Pulumi.yaml there; name a Pulumi project directory`);
    let doc: ProjectFile;
    try {
        doc = (yaml.load(fs.readFileSync(file, "utf8")) ?? {}) as ProjectFile;
    } catch (e) {
        throw new UsageError(`${file}: not valid YAML: ${(e as Error).message.split("\n")[0]}`);
    }
    if (typeof doc.name !== "string") throw new UsageError(`${file}: no project name`);
    const runtime = typeof doc.runtime === "object" && doc.runtime !== null ? (doc.runtime as { name?: unknown }).name : doc.runtime;
    if (runtime !== "nodejs") throw new UsageError(`${file}: runtime ${JSON.stringify(runtime)}: only Pulumi TypeScript/JavaScript (nodejs) programs can be judged offline`);
    return doc as ProjectFile & { name: string };
}

function pickStack(stackDir: string, wanted: string | undefined): { stack: string; file?: string } {
    const files = fs.existsSync(stackDir) ? fs.readdirSync(stackDir).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f)) : [];
    const stacks = files.map((f) => f.slice("Pulumi.".length, -".yaml".length));
    if (wanted !== undefined) {
        if (!stacks.includes(wanted)) throw new UsageError(`--stack ${wanted}: ${path.join(stackDir, `Pulumi.${wanted}.yaml`)} does not exist (stacks there: ${stacks.join(", ") || "none"})`);
        return { stack: wanted, file: path.join(stackDir, `Pulumi.${wanted}.yaml`) };
    }
    if (stacks.length === 1) return { stack: stacks[0], file: path.join(stackDir, files[0]) };
    if (stacks.length === 0) return { stack: "dev" };
    throw new UsageError(`the program has several stacks (${stacks.join(", ")}): choose one with --stack`);
}

/** Project-level config defaults from Pulumi.yaml (`config: {key: {default: v}}` or `key: v`), under the stack's values. */
function withProjectDefaults(config: Record<string, string>, projectConfig: unknown, project: string): Record<string, string> {
    if (typeof projectConfig !== "object" || projectConfig === null) return config;
    const out = { ...config };
    for (const [key, spec] of Object.entries(projectConfig as Record<string, unknown>)) {
        const fullKey = key.includes(":") ? key : `${project}:${key}`;
        const value = typeof spec === "object" && spec !== null && !Array.isArray(spec) ? (spec as { default?: unknown; value?: unknown }).default ?? (spec as { value?: unknown }).value : spec;
        if (value === undefined || fullKey in out) continue;
        out[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return out;
}

function entryPoint(dir: string, project: ProjectFile): string {
    if (typeof project.main === "string") return path.resolve(dir, project.main);
    const pkgFile = path.join(dir, "package.json");
    const main = fs.existsSync(pkgFile) ? (JSON.parse(fs.readFileSync(pkgFile, "utf8")) as { main?: unknown }).main : undefined;
    return path.resolve(dir, typeof main === "string" ? main : "index");
}

/**
 * While a foreign program runs, its `@pulumi/pulumi` (and that of the provider SDKs it loads) resolves to
 * the plan's copy: the mock runtime lives in that module's state, and a second copy would talk to no
 * monitor at all. The program's other packages resolve from its own node_modules as usual, and from the
 * plan's when it has none installed.
 */
function sharingPulumiRuntime<T>(run: () => Promise<T>): Promise<T> {
    const mod = Module as unknown as { _resolveFilename: (request: string, parent: unknown, ...rest: unknown[]) => string };
    const original = mod._resolveFilename;
    const ours = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [PROJECT_DIR] }));
    mod._resolveFilename = function (request: string, parent: unknown, ...rest: unknown[]) {
        const redirected = request === "@pulumi/pulumi" || request.startsWith("@pulumi/pulumi/") ? ours + request.slice("@pulumi/pulumi".length) : request;
        try {
            return original.call(this, redirected, parent, ...rest);
        } catch (e) {
            // A program judged without `npm install` borrows the plan's provider SDKs (@pulumi/aws, ...).
            const bare = !redirected.startsWith(".") && !path.isAbsolute(redirected);
            if (!bare || (e as { code?: string }).code !== "MODULE_NOT_FOUND") throw e;
            return original.call(this, redirected, module, ...rest);
        }
    };
    return run().finally(() => { mod._resolveFilename = original; });
}

/**
 * Compile the program's TypeScript as the Pulumi nodejs host does (ts-node, @pulumi/pulumi
 * cmd/run/run.js), transpile-only: the plan itself may run precompiled from `.build/` with no `.ts` hook.
 * CommonJS output, the program's tsconfig not read (an ESM-only program is a blind spot).
 */
function compilingTypeScript(): void {
    if (require.extensions[".ts"]) return;
    const tsNode = require("ts-node") as { register: (opts: object) => unknown };
    tsNode.register({ transpileOnly: true, skipProject: true, compilerOptions: { module: "commonjs", target: "ES2020", esModuleInterop: true } });
}

/** Forget the program's own modules, so a second run in one process registers its resources again. */
function forgetModules(dir: string): void {
    for (const key of Object.keys(require.cache)) {
        if (key.startsWith(dir + path.sep) && !key.includes(`${path.sep}node_modules${path.sep}`)) delete require.cache[key];
    }
}

export async function runForeignPlan(opts: ProgramPlanOptions): Promise<PlanResult> {
    const started = Date.now();
    const dir = path.resolve(opts.dir);
    const project = readProject(dir);
    const stackDir = typeof project.stackConfigDir === "string" ? path.resolve(dir, project.stackConfigDir) : dir;
    const { stack, file } = pickStack(stackDir, opts.stack);
    const fromFile = file ? readStackFile(file, project.name) : { config: {}, secretKeys: [] };
    const config = withProjectDefaults(fromFile.config, project.config, project.name);

    const policyConfigFile = opts.policyConfigFile ?? ((ENVIRONMENTS as readonly string[]).includes(stack) ? path.join(PROJECT_DIR, "policies", "config", `${stack}.json`) : undefined);
    if (!policyConfigFile) throw new UsageError(`stack ${stack} is not named after an environment: choose the policy config with --policy-config (e.g. policies/config/dev.json)`);
    const policyFile = readPolicyConfigFile(policyConfigFile);
    const policyConfig = resolvePolicyConfig(policyFile, policies, packArgs.enforcementLevel);
    const environment = policyConfig.get("chargeback-tags")?.properties.environment;

    const notes: string[] = [];
    const region = config["aws:region"] ?? "us-east-1";
    if (config["aws:region"] === undefined) notes.push("offline judge: the stack sets no aws:region; priced and judged as us-east-1");
    const unknownInvokes = new Set<string>();
    const entry = entryPoint(dir, project);
    compilingTypeScript();
    const program = async () => {
        forgetModules(dir);
        const loaded = require(entry) as unknown;
        const fn = typeof loaded === "function" ? loaded : typeof (loaded as { default?: unknown })?.default === "function" ? (loaded as { default: () => unknown }).default : undefined;
        return fn ? fn() : loaded;
    };
    const run = await sharingPulumiRuntime(() => runProgram({
        project: project.name, stack, config, secretKeys: fromFile.secretKeys, program, region, onUnknownInvoke: (token) => unknownInvokes.add(token),
    }));
    for (const token of unknownInvokes) notes.push(`offline judge: invoke ${token} has no mock; answered with generic placeholder values`);

    const providers = defaultProviders(run.resources, config, project.name, stack, region);
    const judgement = await judge(run.resources, policies, policyConfig, undefined, providers);
    const budgets: Record<string, number> = {};
    let environmentBudget = 0;
    for (const r of run.resources.filter((x) => x.type === BUDGET_TYPE)) {
        const limit = Number(r.inputs.limitAmount);
        if (!Number.isFinite(limit)) continue;
        const team = budgetTeam(r.inputs);
        if (team) budgets[team] = limit;
        else environmentBudget += limit;
    }
    const cost = estimateCost(costResources(run.resources, providers), { region, budgets });
    cost.warnings.push(...notes);
    return {
        stack,
        environment: typeof environment === "string" ? environment : "(none)",
        project: project.name,
        policyConfigFile,
        ...judgedResources(run, judgement),
        cost,
        environmentBudget,
        elapsedMs: Date.now() - started,
    };
}
