import Ajv, { ValidateFunction } from "ajv";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";

/**
 * Upstream CRD schemas from ../shared/crds (never copied into the project). Absent in a user's clone:
 * CRD_DIR is then undefined and the tests that need it skip.
 */
const candidate = path.resolve(__dirname, "..", "..", "shared", "crds");
export const CRD_DIR: string | undefined = fs.existsSync(candidate) ? candidate : undefined;

interface Crd {
    spec: { group: string; names: { kind: string }; versions: { name: string; served?: boolean; schema?: { openAPIV3Schema: object } }[] };
}

let validators: Map<string, ValidateFunction> | undefined;

function load(): Map<string, ValidateFunction> {
    if (validators) return validators;
    validators = new Map();
    // Formats like int32 and Kubernetes' CEL rules are beyond JSON Schema; structure, types and enums are what we check.
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    const files: string[] = [];
    const walk = (dir: string) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
            if (e.isDirectory()) walk(path.join(dir, e.name));
            else if (/\.ya?ml$/.test(e.name)) files.push(path.join(dir, e.name));
        }
    };
    walk(CRD_DIR!);
    for (const file of files) {
        for (const doc of yaml.loadAll(fs.readFileSync(file, "utf8")) as (Crd | null)[]) {
            if (!doc || (doc as { kind?: string }).kind !== "CustomResourceDefinition") continue;
            for (const v of doc.spec.versions) {
                if (!v.schema || v.served === false) continue;
                const key = `${doc.spec.group}/${v.name}/${doc.spec.names.kind}`;
                validators.set(key, ajv.compile(v.schema.openAPIV3Schema));
            }
        }
    }
    return validators;
}

/** Validation errors of an object against its CRD version's schema; throws when no CRD serves it. */
export function crdErrors(obj: { apiVersion: string; kind: string }): string[] {
    const key = `${obj.apiVersion}/${obj.kind}`;
    const validate = load().get(key);
    if (!validate) throw new Error(`no served CRD schema for ${key} under ${CRD_DIR}`);
    if (validate(obj)) return [];
    return (validate.errors ?? []).map((e) => `${key} ${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
}
