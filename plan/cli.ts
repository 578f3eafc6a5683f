import * as fs from "fs";
import { ConfigError } from "../components/config";
import { checkInput, checkOutput, invocationDir, resolveArg } from "./cliPaths";
import { diffReports } from "./diff";
import { keepStackTraces, STACK_TRACES_ENV } from "./mockRuntime";
import { runPlan } from "./plan";
import { PolicyConfigError } from "./policyConfig";
import { runForeignPlan } from "./program";
import { toMarkdown, toText } from "./report";
import { errorReport, exitCodeOf, toReport } from "./reportJson";
import { BaselineError, loadBaseline } from "./reportSchema";
import { UsageError } from "./stackFile";

export const USAGE = "usage: npm run plan -- <stack> [--config-file F] [--policy-config F] [--json F] [--markdown F] [--baseline F] [--no-inputs]\n"
    + "       npm run plan -- --program DIR [--stack S] [--policy-config F] [--json F] [--markdown F] [--baseline F] [--no-inputs]\n"
    + "       npm run plan -- --help";

export const HELP = `Plan a stack offline: run the program under Pulumi's mock runtime, judge it with the policy pack and
estimate its monthly cost. No AWS account and no Pulumi CLI needed.

${USAGE}

  <stack>              plan stacks/Pulumi.<stack>.yaml with policies/config/<environment>.json
  --config-file F      another stack file (e.g. a copy you are editing)
  --policy-config F    another policy config (its environment must be the stack's)
  --json F             write the report as JSON (schema: plan/report.schema.json)
  --markdown F         write the report as a pull-request comment
  --baseline F         a previous --json of the same stack: show what changed first
  --no-inputs          leave resource inputs out of the JSON
  --program DIR        judge another Pulumi TypeScript program (its own Pulumi.yaml and stack file)
  --stack S            with --program: which of its stacks (default: its only one)
  --help, -h           this text

Relative paths are resolved against the folder you run the command in. Report folders must exist.

Exit codes:
  0  no mandatory policy violation
  1  one or more mandatory policy violations
  2  bad stack config, policy config or usage (the message names the key or the flag)
  3  unexpected failure while running the program (a bug: the message says where; please report it)`;

/** Thrown by parseArgs for `--help`: print the help and exit 0. */
export class HelpRequested extends Error {}

export interface CliArgs {
    stack: string;
    configFile?: string;
    policyConfigFile?: string;
    json?: string;
    markdown?: string;
    /** A previous `--json` of the same project and stack: report what changed against it, first. */
    baseline?: string;
    /** Leave resource inputs out of the JSON (most of its size). */
    noInputs?: boolean;
    /** Judge another Pulumi program (plan/program.ts) instead of this one. */
    program?: string;
}

type FileFlag = "configFile" | "policyConfigFile" | "json" | "markdown" | "baseline" | "program" | "stack";
const FLAGS: Readonly<Record<string, FileFlag>> = {
    "--config-file": "configFile",
    "--policy-config": "policyConfigFile",
    "--json": "json",
    "--markdown": "markdown",
    "--baseline": "baseline",
    "--program": "program",
    "--stack": "stack",
};
const SWITCHES: Readonly<Record<string, "noInputs">> = { "--no-inputs": "noInputs" };

export function parseArgs(argv: readonly string[]): CliArgs {
    const args: Partial<CliArgs> = {};
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
        if (flag === "--help" || flag === "-h") throw new HelpRequested();
        if (flag in SWITCHES) {
            if (inline !== undefined) throw new UsageError(`${flag} takes no value\n${USAGE}`);
            args[SWITCHES[flag]] = true;
        } else if (flag in FLAGS) {
            const value = inline ?? argv[++i];
            if (value === undefined || value === "") throw new UsageError(`${flag} needs a file name\n${USAGE}`);
            args[FLAGS[flag]] = value;
        } else if (flag.startsWith("-")) {
            throw new UsageError(`unknown option ${flag}\n${USAGE}`);
        } else if (args.stack === undefined) {
            if (!/^[A-Za-z0-9_.-]+$/.test(flag)) throw new UsageError(`stack name ${JSON.stringify(flag)} is not allowed: letters, digits, '-', '_', '.'\n${USAGE}`);
            args.stack = flag;
        } else {
            throw new UsageError(`unexpected argument ${flag}: one stack per run\n${USAGE}`);
        }
    }
    if (args.program !== undefined && args.configFile !== undefined) throw new UsageError(`--config-file does not apply to --program: the program's own stack file is read (choose it with --stack)\n${USAGE}`);
    if (args.stack === undefined && args.program === undefined) throw new UsageError(`name the stack to plan (dev, staging, prod)\n${USAGE}`);
    return args as CliArgs;
}

/** A report file that cannot be written is a usage error (exit 2) naming the flag, not a crash. */
function writeReport(flag: string, file: string, text: string): void {
    try {
        fs.writeFileSync(file, text);
    } catch (e) {
        throw new UsageError(`${flag} ${file}: cannot write the report: ${(e as Error).message}`);
    }
}

/** Run the CLI; returns the exit code: 0 clean, 1 mandatory violations, 2 bad config or usage (3, an unexpected failure, is thrown). */
export async function main(argv: readonly string[], log: (s: string) => void = console.log, error: (s: string) => void = console.error, cwd: string = invocationDir()): Promise<number> {
    let args: CliArgs | undefined;
    try {
        try {
            args = parseArgs(argv);
        } catch (e) {
            if (!(e instanceof HelpRequested)) throw e;
            log(HELP);
            return 0;
        }
        // Outputs first: a report that cannot be written is found before the plan runs, not after.
        if (args.json) args.json = checkOutput("--json", args.json, cwd);
        if (args.markdown) args.markdown = checkOutput("--markdown", args.markdown, cwd);
        if (args.configFile) args.configFile = checkInput("--config-file", args.configFile, cwd);
        if (args.policyConfigFile) args.policyConfigFile = checkInput("--policy-config", args.policyConfigFile, cwd);
        if (args.program) args.program = checkInput("--program", args.program, cwd, "folder");
        if (args.baseline) args.baseline = resolveArg(args.baseline, cwd).file;
        // Refuse a missing baseline before the plan runs, not after.
        if (args.baseline && !fs.existsSync(args.baseline)) throw new BaselineError(args.baseline, "the file does not exist");
        const result = args.program !== undefined
            ? await runForeignPlan({ dir: args.program, stack: args.stack, policyConfigFile: args.policyConfigFile })
            : await runPlan({ stack: args.stack, configFile: args.configFile, policyConfigFile: args.policyConfigFile });
        const diff = args.baseline ? diffReports(loadBaseline(args.baseline, result), toReport(result)) : undefined;
        if (args.json) writeReport("--json", args.json, JSON.stringify(toReport(result, { inputs: !args.noInputs, diff }), null, 2) + "\n");
        if (args.markdown) writeReport("--markdown", args.markdown, toMarkdown(result, { diff }));
        log(toText(result, { diff }));
        return exitCodeOf(result);
    } catch (e) {
        if (e instanceof UsageError || e instanceof ConfigError || e instanceof PolicyConfigError) {
            error(`error: ${e.message}`);
            // A pipeline reading the JSON must not find a stale report from an earlier run.
            try {
                if (args?.json) fs.writeFileSync(args.json, JSON.stringify(errorReport(e.message.split("\n"), args.stack), null, 2) + "\n");
            } catch {
                // The error above already says why the report could not be written.
            }
            return 2;
        }
        throw e;
    }
}

if (require.main === module) {
    // ts-node's source-map-support rewrites every stack trace it formats, and the Pulumi SDK formats one
    // for each promise and resource it creates: on a 1,000-resource plan that tripled the run time. The
    // plan prints no stack trace for the errors it expects, so it keeps V8's native formatting.
    (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
    main(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => {
        console.error(e instanceof Error ? e.stack : e);
        if (!keepStackTraces()) console.error(`(stack traces are off while the program runs, for speed: re-run with ${STACK_TRACES_ENV}=1 to see where it failed)`);
        process.exit(3);
    });
}
