import Ajv, { ValidateFunction } from "ajv";
import * as fs from "fs";
import schema from "./report.schema.json";
import { PlanReport, SCHEMA_VERSION } from "./reportJson";
import { UsageError } from "./stackFile";

/** The published JSON Schema of `--json` (plan/report.schema.json), compiled once. */
let compiled: ValidateFunction | undefined;
export function reportValidator(): ValidateFunction {
    return (compiled ??= new Ajv({ allErrors: true }).compile(schema));
}

/** Problems of a report against the schema, `[]` when it conforms. */
export function reportProblems(doc: unknown): string[] {
    const validate = reportValidator();
    if (validate(doc)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? "is not valid"}`);
}

/** A baseline report refused: comparing it would mislead (exit 2). */
export class BaselineError extends UsageError {
    constructor(file: string, reason: string) {
        super(`baseline ${file} refused: ${reason}`);
        this.name = "BaselineError";
    }
}

/**
 * Read `--baseline F`: a previous `--json` of the same project and stack, written by a plan of the same
 * schemaVersion. Anything else is refused with the reason, never silently compared.
 */
export function loadBaseline(file: string, expected: { project: string; stack: string }): PlanReport {
    if (!fs.existsSync(file)) throw new BaselineError(file, "the file does not exist");
    let doc: unknown;
    try {
        doc = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new BaselineError(file, `not valid JSON: ${(e as Error).message}`);
    }
    const head = (typeof doc === "object" && doc !== null && !Array.isArray(doc) ? doc : {}) as Record<string, unknown>;
    if (head.schemaVersion !== SCHEMA_VERSION) {
        throw new BaselineError(file, head.schemaVersion === undefined
            ? "it has no schemaVersion: it was written by an older plan (or is not a plan report); regenerate it with this version's --json"
            : `it has schemaVersion ${JSON.stringify(head.schemaVersion)}, this plan reads ${SCHEMA_VERSION}: regenerate it with this version's --json`);
    }
    if (head.status === "error") throw new BaselineError(file, "it is the report of a plan that did not run (status error)");
    if (head.project !== expected.project) throw new BaselineError(file, `it is a plan of project ${JSON.stringify(head.project)}, not ${JSON.stringify(expected.project)}`);
    if (head.stack !== expected.stack) throw new BaselineError(file, `it is a plan of stack ${JSON.stringify(head.stack)}, not ${JSON.stringify(expected.stack)}`);
    const problems = reportProblems(doc);
    if (problems.length > 0) throw new BaselineError(file, `it does not match plan/report.schema.json: ${problems.slice(0, 5).join("; ")}`);
    return doc as PlanReport;
}
