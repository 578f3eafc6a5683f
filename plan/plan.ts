import * as fs from "fs";
import * as path from "path";
import { StackConfig } from "../components/config";
import { packArgs, policies } from "../policies/pack";
import { existingClusterUnmanaged } from "../components/configCluster";
import { CostEstimate, CostResource, estimateCost } from "../lib/cost";
import { defaultProviders, providerFor } from "./defaultProviders";
import { judge, Judgement, Remediation, Violation } from "./judge";
import { ProgramRun, RecordedResource, runProgram } from "./mockRuntime";
import { PolicyConfigError, readPolicyConfigFile, resolvePolicyConfig } from "./policyConfig";
import { PolicyProviderResource } from "@pulumi/policy";
import { policyEnvironmentMismatch } from "./policyEnvironment";
import { readProjectName, readStackFile, UsageError } from "./stackFile";
import { validateStackFile } from "./stackKeys";

/** The project's own program, compiled alongside this file (under ts-node, `index.ts`; from `.build/`, `index.js`). */
const PROGRAM_MODULE = path.resolve(__dirname, "..", "index");

/** The folder holding Pulumi.yaml: the plan may run from `.build/` (tools/run.js), where only code lives. */
export function findProjectDir(from: string): string {
    for (let dir = from; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        if (path.dirname(dir) === dir) throw new UsageError(`no Pulumi.yaml in ${from} or any folder above it`);
    }
}

export const PROJECT_DIR = findProjectDir(path.resolve(__dirname, ".."));

export interface PlanOptions {
    stack: string;
    /** Stack config file; default `stacks/Pulumi.<stack>.yaml`. */
    configFile?: string;
    /** Policy config; default `policies/config/<environment>.json`. */
    policyConfigFile?: string;
    projectDir?: string;
}

export interface PlanReportResource {
    urn: string;
    type: string;
    name: string;
    parent?: string;
    inputs: Record<string, unknown>;
}

export interface PlanResult {
    stack: string;
    environment: string;
    project: string;
    policyConfigFile: string;
    resources: PlanReportResource[];
    violations: Violation[];
    remediations: Remediation[];
    policyChecks: number;
    cost: CostEstimate;
    environmentBudget: number;
    elapsedMs: number;
    /** What the stack leaves unmanaged (existing-cluster mode), printed with the report. */
    notes?: string[];
}

export const REDACTED = "[secret]";

/** Replace secret inputs with a marker: a plan report is posted to pull requests. */
export function redact(r: RecordedResource): Record<string, unknown> {
    if (r.secretPaths.length === 0) return r.inputs;
    const copy = JSON.parse(JSON.stringify(r.inputs)) as Record<string, unknown>;
    for (const p of r.secretPaths) {
        if (p === "") return { [REDACTED]: true };
        const keys = p.replace(/\[(\d+)\]/g, ".$1").split(".");
        let cur: Record<string, unknown> = copy;
        for (const k of keys.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
        cur[keys[keys.length - 1]] = REDACTED;
    }
    return copy;
}

/** Recorded resources as the estimator prices them, each with its provider's props (region, default tags). */
export function costResources(resources: readonly RecordedResource[], providers: ReadonlyMap<string, PolicyProviderResource>): CostResource[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    return resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.inputs, dependencies: r.dependencies, providerProps: providerFor(r, byUrn, providers)?.props }));
}

/** Load config, run the program under mocks, judge it with the pack and price it. Throws UsageError, ConfigError or PolicyConfigError for exit 2. */
export async function runPlan(opts: PlanOptions): Promise<PlanResult> {
    const started = Date.now();
    const projectDir = opts.projectDir ?? PROJECT_DIR;
    const project = readProjectName(projectDir);
    const configFile = opts.configFile ?? path.join(projectDir, "stacks", `Pulumi.${opts.stack}.yaml`);
    if (opts.configFile === undefined && !fs.existsSync(configFile)) {
        const stacks = fs.readdirSync(path.join(projectDir, "stacks")).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []);
        throw new UsageError(`no stack ${opts.stack}: looked for ${configFile}; stacks here: ${stacks.join(", ") || "none"} (README "Add a stack or an environment")`);
    }
    const { config, secretKeys } = readStackFile(configFile, project);
    // Validate before anything runs: the same function the program calls first.
    const stackConfig: StackConfig = validateStackFile(config, project, projectDir);
    const policyConfigFile = opts.policyConfigFile ?? path.join(projectDir, "policies", "config", `${stackConfig.environment}.json`);
    const policyFile = readPolicyConfigFile(policyConfigFile);
    const mismatch = policyEnvironmentMismatch(policyFile, policyConfigFile, opts.stack, stackConfig.environment, projectDir);
    if (mismatch) throw new PolicyConfigError([mismatch]);
    const policyConfig = resolvePolicyConfig(policyFile, policies, packArgs.enforcementLevel);

    const region = stackConfig.region ?? "us-east-1";
    const program = require(PROGRAM_MODULE) as () => Promise<unknown>;
    const run: ProgramRun = await runProgram({ project, stack: opts.stack, config, secretKeys, program, region });

    const providers = defaultProviders(run.resources, config, project, opts.stack, region);
    const judgement = await judge(run.resources, policies, policyConfig, undefined, providers);
    const cost = estimateCost(costResources(run.resources, providers), {
        region,
        spotDiscount: stackConfig.pricing.spotDiscount,
        budgets: Object.fromEntries(stackConfig.teams.map((t) => [t.id, t.monthlyBudgetUsd])),
    });
    const notes = existingClusterUnmanaged(stackConfig.cluster).map((n) => `existing cluster (create: false): this stack does not manage ${n}`);
    return {
        notes,
        stack: opts.stack,
        environment: stackConfig.environment,
        project,
        policyConfigFile,
        ...judgedResources(run, judgement),
        cost,
        environmentBudget: stackConfig.monthlyBudgetUsd,
        elapsedMs: Date.now() - started,
    };
}

/** The recorded resources (secrets redacted) and the pack's verdicts, as every plan report carries them. */
export function judgedResources(run: ProgramRun, judgement: Judgement): Pick<PlanResult, "resources" | "violations" | "remediations" | "policyChecks"> {
    return {
        resources: run.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, parent: r.parent, inputs: redact(r) })),
        violations: judgement.violations,
        remediations: judgement.remediations,
        policyChecks: judgement.checks,
    };
}

export function mandatoryViolations(result: PlanResult): Violation[] {
    return result.violations.filter((v) => v.enforcementLevel === "mandatory");
}
