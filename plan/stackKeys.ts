import { Region } from "@pulumi/aws/types/enums";
import * as fs from "fs";
import * as path from "path";
import { ConfigError, parseStackConfig, StackConfig } from "../components/config";
import { Checker, ConfigProblem } from "../components/validate";
import { SECRET_PLACEHOLDER } from "./stackFile";

/**
 * Keys of a stack file outside the project's own namespace. The Pulumi CLI passes every key to the program
 * and providers ignore what they do not know, so a typo (`ai-infr:cache`, `aws:regoin`) would silently
 * change nothing: the plan refuses it (exit 2) with the nearest known key.
 */

/** The AWS regions the pinned provider knows (`@pulumi/aws` `Region` enum), the one list of real regions. */
export const AWS_REGIONS: readonly string[] = Object.values(Region);

// One "did you mean" for stack keys and config keys alike (it lives below both plan/ and components/).
export { closest, editDistance } from "../components/didYouMean";
import { closest } from "../components/didYouMean";

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

/** The project's keys whose value the program wraps as a secret; any other stays plain text in tags and outputs. */
export const SECRET_CAPABLE_KEYS = ["alerts.webhookUrl"];

/** Where a `secure:` value sits in the project's config, by key path (`ai-infra:owner`, `ai-infra:alerts.emails[0]`). */
function placeholderPaths(value: unknown, at: string, out: string[]): string[] {
    if (value === SECRET_PLACEHOLDER) out.push(at);
    else if (Array.isArray(value)) value.forEach((v, i) => placeholderPaths(v, `${at}[${i}]`, out));
    else if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) placeholderPaths(v, `${at}.${k}`, out);
    return out;
}

/** A `secure:` value in a key that cannot be secret: the program would write the decrypted value in plain text. */
export function secretKeyProblems(config: Readonly<Record<string, string>>, project: string): ConfigProblem[] {
    const c = new Checker();
    const allowed = SECRET_CAPABLE_KEYS.map((k) => `${project}:${k}`);
    for (const [fullKey, text] of Object.entries(config)) {
        if (!fullKey.startsWith(`${project}:`)) continue;
        let value: unknown = text;
        try {
            value = text === SECRET_PLACEHOLDER ? text : JSON.parse(text);
        } catch {
            // A plain string value.
        }
        for (const at of placeholderPaths(value, fullKey, [])) {
            if (allowed.includes(at)) continue;
            c.problems.push({
                path: at, value: SECRET_PLACEHOLDER, allowed: "",
                message: `${at}: is a secure: (encrypted) value, but this key cannot be secret: the program would store and tag it in plain text. Write it in plain text; only ${allowed.join(", ")} may be secret`,
            });
        }
    }
    return c.problems;
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
    const secrets = secretKeyProblems(config, project);
    const problems = [...secrets, ...stackKeyProblems(config, project, projectDir)];
    let parsed: StackConfig;
    try {
        parsed = parseStackConfig(config);
    } catch (e) {
        // A placeholder the user never wrote is no news once the key is named as one that cannot be secret.
        const rest = e instanceof ConfigError ? e.problems.filter((p) => !(p.value === SECRET_PLACEHOLDER && secrets.some((s) => s.path === p.path))) : [];
        if (e instanceof ConfigError && (problems.length > 0 || rest.length < e.problems.length)) throw new ConfigError([...problems, ...rest]);
        throw e;
    }
    if (problems.length > 0) throw new ConfigError(problems);
    return parsed;
}
