import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../plan/cli";
import { reportProblems } from "../../plan/reportSchema";

export const FIXTURES = path.join(__dirname, "..", "fixtures");
export const fixture = (f: string) => path.join(FIXTURES, f);

/** Run the plan CLI in-process. Every JSON report it writes is held to the published schema, whatever the test checks. */
export async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "", err = "";
    const code = await main(argv, (s) => { out += `${s}\n`; }, (s) => { err += `${s}\n`; });
    const json = argv.indexOf("--json");
    if (json >= 0 && fs.existsSync(argv[json + 1])) assert.deepEqual(reportProblems(JSON.parse(fs.readFileSync(argv[json + 1], "utf8"))), [], `${argv[json + 1]} against plan/report.schema.json`);
    return { code, out, err };
}

export function tmp(name: string): string {
    return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ai-infra-plan-")), name);
}
