import * as fs from "fs";
import * as path from "path";
import { UsageError } from "./stackFile";

/**
 * The folder the user ran the command in. `npm run` starts scripts in the package root and keeps the
 * caller's folder in INIT_CWD, so `cd stacks && npm run plan -- x --config-file Pulumi.x.yaml` means the file
 * beside the user, not one in the repository root.
 */
export function invocationDir(env: NodeJS.ProcessEnv = process.env): string {
    const init = env.INIT_CWD;
    return init && path.isAbsolute(init) && fs.existsSync(init) ? init : process.cwd();
}

/** Where a path typed on the command line points, and how to say where it was looked for. */
export function resolveArg(file: string, cwd: string): { file: string; where: string } {
    const resolved = path.resolve(cwd, file);
    const where = path.isAbsolute(file) ? resolved : `${resolved} (relative to ${cwd}, the folder the command ran in)`;
    return { file: resolved, where };
}

/** An input file (stack config, policy config, baseline) or folder (--program) must exist before anything runs. */
export function checkInput(flag: string, typed: string, cwd: string, kind: "file" | "folder" = "file"): string {
    const { file, where } = resolveArg(typed, cwd);
    if (!fs.existsSync(file)) throw new UsageError(`${flag} ${typed}: no such ${kind}: looked for ${where}`);
    const isDir = fs.statSync(file).isDirectory();
    if (kind === "file" && isDir) throw new UsageError(`${flag} ${typed}: ${file} is a folder, not a file`);
    if (kind === "folder" && !isDir) throw new UsageError(`${flag} ${typed}: ${file} is a file, not a folder`);
    return file;
}

/** A report must be writable before the plan spends its time, not found unwritable after it. */
export function checkOutput(flag: string, typed: string, cwd: string): string {
    const { file, where } = resolveArg(typed, cwd);
    const dir = path.dirname(file);
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new UsageError(`${flag} ${typed}: ${file} is a folder; name a file to write the report to`);
    if (!fs.existsSync(dir)) throw new UsageError(`${flag} ${typed}: cannot write ${where}: folder ${dir} does not exist (create it first)`);
    if (!fs.statSync(dir).isDirectory()) throw new UsageError(`${flag} ${typed}: cannot write ${where}: ${dir} is not a folder`);
    try {
        fs.accessSync(dir, fs.constants.W_OK);
        if (fs.existsSync(file)) fs.accessSync(file, fs.constants.W_OK);
    } catch {
        throw new UsageError(`${flag} ${typed}: cannot write ${where}: permission denied`);
    }
    return file;
}
