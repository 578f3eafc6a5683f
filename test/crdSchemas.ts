import Ajv, { ValidateFunction } from "ajv";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { CHARTS } from "../components/gateway/constants";

/**
 * Upstream CRD schemas of exactly the releases the project pins, from ../shared (never copied into the
 * project). Each release is one folder `<project>-<version>`, looked up in ../shared/crds and then in
 * ../shared/crd-versions. Only those folders are loaded: two releases of the same kind loaded together
 * would make the result depend on file order. In a user's clone the folders are absent: CRD_DIRS is then
 * undefined and the tests that need it skip.
 */
export const PINNED_CRD_RELEASES: readonly string[] = [
    `envoy-gateway-${CHARTS.envoyGateway.version}`,
    `envoy-ai-gateway-${CHARTS.aiGateway.version}`,
];

const SHARED = path.resolve(__dirname, "..", "..", "shared");
const SEARCH = [path.join(SHARED, "crds"), path.join(SHARED, "crd-versions")];

/** The folder of one release, or undefined when no searched location has it. */
export function crdReleaseDir(release: string, searched: readonly string[] = SEARCH): string | undefined {
    return searched.map((dir) => path.join(dir, release)).find((dir) => fs.existsSync(dir) && fs.statSync(dir).isDirectory());
}

function pinnedDirs(): string[] | undefined {
    const dirs = PINNED_CRD_RELEASES.map((r) => crdReleaseDir(r));
    return dirs.every((d): d is string => d !== undefined) ? dirs : undefined;
}

export const CRD_DIRS: readonly string[] | undefined = pinnedDirs();
/** Kept for callers that only test whether the schemas are present. */
export const CRD_DIR: string | undefined = CRD_DIRS?.[0];

interface Crd {
    spec: { group: string; names: { kind: string }; versions: { name: string; served?: boolean; schema?: { openAPIV3Schema: object } }[] };
}

let validators: Map<string, ValidateFunction> | undefined;
const origin = new Map<string, string>();

function yamlFiles(dir: string): string[] {
    const files: string[] = [];
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) files.push(...yamlFiles(path.join(dir, e.name)));
        else if (/\.ya?ml$/.test(e.name)) files.push(path.join(dir, e.name));
    }
    return files.sort();
}

function load(): Map<string, ValidateFunction> {
    if (validators) return validators;
    validators = new Map();
    // Formats like int32 and Kubernetes' CEL rules are beyond JSON Schema; structure, types and enums are what we check.
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    for (const dir of CRD_DIRS!) {
        for (const file of yamlFiles(dir)) {
            for (const doc of yaml.loadAll(fs.readFileSync(file, "utf8")) as (Crd | null)[]) {
                if (!doc || (doc as { kind?: string }).kind !== "CustomResourceDefinition") continue;
                for (const v of doc.spec.versions) {
                    if (!v.schema || v.served === false) continue;
                    const key = `${doc.spec.group}/${v.name}/${doc.spec.names.kind}`;
                    // Two pinned releases serving the same kind would make the result depend on load order.
                    if (origin.has(key)) throw new Error(`${key} is served by both ${origin.get(key)} and ${file}`);
                    origin.set(key, file);
                    validators.set(key, ajv.compile(v.schema.openAPIV3Schema));
                }
            }
        }
    }
    return validators;
}

/** The CRD file an `apiVersion`'s kind was loaded from (tests check it is the pinned release's). */
export function crdSource(apiVersion: string, kind: string): string | undefined {
    load();
    return origin.get(`${apiVersion}/${kind}`);
}

/** Validation errors of an object against its CRD version's schema; throws when no pinned CRD serves it. */
export function crdErrors(obj: { apiVersion: string; kind: string }): string[] {
    const key = `${obj.apiVersion}/${obj.kind}`;
    const validate = load().get(key);
    if (!validate) throw new Error(`no served CRD schema for ${key} in ${CRD_DIRS?.join(", ")}`);
    if (validate(obj)) return [];
    return (validate.errors ?? []).map((e) => `${key} ${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
}
