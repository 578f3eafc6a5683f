import { Region } from "@pulumi/aws/types/enums";
import * as fs from "fs";
import * as path from "path";
import { ConfigError, parseStackConfig, StackConfig } from "../components/config";
import { Checker, ConfigProblem } from "../components/validate";

/**
 * Keys of a stack file outside the project's own namespace. The Pulumi CLI passes every key to the program
 * and providers ignore what they do not know, so a typo (`ai-infr:cache`, `aws:regoin`) would silently
 * change nothing: the plan refuses it (exit 2) with the nearest known key.
 */

/** The AWS regions the pinned provider knows (`@pulumi/aws` `Region` enum), the one list of real regions. */
export const AWS_REGIONS: readonly string[] = Object.values(Region);

/** Edit distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const cur = [i];
        for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = cur;
    }
    return prev[b.length];
}

/** The closest candidate within a third of the word's length (at least 1, at most 3 edits), if any. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
    let best: string | undefined, bestDistance = Math.min(3, Math.max(1, Math.floor(word.length / 3))) + 1;
    for (const c of candidates) {
        const d = editDistance(word.toLowerCase(), c.toLowerCase());
        if (d < bestDistance) [best, bestDistance] = [c, d];
    }
    return best;
}

/** Provider packages the project depends on (`@pulumi/aws` → `aws`): the namespaces its stack files may use. */
export function providerNamespaces(projectDir: string): string[] {
    const pkg = JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
    return Object.keys(pkg.dependencies ?? {})
        .filter((d) => d.startsWith("@pulumi/") && !["@pulumi/pulumi", "@pulumi/policy"].includes(d))
        .map((d) => d.slice("@pulumi/".length));
}

/** A provider's config keys, from its SDK's `config/vars` module; undefined when the SDK has none to read. */
function providerKeys(namespace: string): string[] | undefined {
    try {
        return Object.keys(require(`@pulumi/${namespace}/config/vars`) as object);
    } catch {
        return undefined;
    }
}

/** Every unknown namespace or provider key, and a missing or unreal aws:region. */
export function stackKeyProblems(config: Readonly<Record<string, string>>, project: string, projectDir: string): ConfigProblem[] {
    const c = new Checker();
    const providers = providerNamespaces(projectDir);
    // `pulumi:` holds the engine's own stack settings (pulumi:tags, pulumi:disable-default-providers).
    const namespaces = [project, "pulumi", ...providers];
    for (const key of Object.keys(config)) {
        const [namespace, ...rest] = key.split(":");
        const name = rest.join(":");
        if (!namespaces.includes(namespace)) {
            const near = closest(namespace, namespaces);
            c.fail(key, config[key], `unknown namespace "${namespace}"${near ? `: did you mean ${near}:${name}?` : "."} Known namespaces: ${namespaces.join(", ")}`);
            continue;
        }
        const known = providers.includes(namespace) ? providerKeys(namespace) : undefined;
        if (known && !known.includes(name)) {
            const near = closest(name, known);
            c.fail(key, config[key], `the ${namespace} provider has no config key "${name}"${near ? `: did you mean ${namespace}:${near}?` : ""}`);
        }
    }
    if (providers.includes("aws")) {
        const region = config["aws:region"];
        if (region === undefined) {
            c.fail("aws:region", undefined, "the AWS region to deploy to and price in, e.g. us-east-1");
        } else if (!AWS_REGIONS.includes(region)) {
            const near = closest(region, AWS_REGIONS);
            c.fail("aws:region", region, `must be an AWS region${near ? `: did you mean ${near}?` : ""} (${AWS_REGIONS.join(", ")})`);
        }
    }
    return c.problems;
}

/** The program's own validation plus the stack file's other namespaces: every problem in one ConfigError (exit 2). */
export function validateStackFile(config: Record<string, string>, project: string, projectDir: string): StackConfig {
    const problems = stackKeyProblems(config, project, projectDir);
    let parsed: StackConfig;
    try {
        parsed = parseStackConfig(config);
    } catch (e) {
        if (e instanceof ConfigError && problems.length > 0) throw new ConfigError([...problems, ...e.problems]);
        throw e;
    }
    if (problems.length > 0) throw new ConfigError(problems);
    return parsed;
}
