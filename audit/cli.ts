import * as fs from "fs";
import * as path from "path";
import { ConfigError, parseStackConfig } from "../components/config";
import { PROJECT_DIR } from "../plan/plan";
import { DEFAULT_ALLOWED_GPU_TYPES } from "../policies/nodeGroups";
import { readProjectName, readStackFile, UsageError } from "../plan/stackFile";
import { cleanup, CleanupAction } from "./cleanup";
import { AuditClients, createClients } from "./clients";
import { AuditError } from "./errors";
import { auditJson, auditText, actionsText, auditMarkdown } from "./report";
import { checkOutput, invocationDir } from "../plan/cliPaths";
import { restore } from "./restore";
import { runAudit } from "./run";

export const USAGE = "usage: npm run audit -- --stack <stack> [--days 14] [--json F] [--markdown F] [--cleanup [--allow <resource>]... | --restore] [--yes]";

/**
 * Exit codes: 0 complete; 2 usage, config, credentials or unknown cluster; 3 another AWS failure that
 * stopped the run; 4 partial (some checks could not run, listed under "Not audited"); 5 a clean-up or
 * restore action failed (what was done and how to undo it is printed and in --json).
 */
export const EXIT = { ok: 0, usage: 2, aws: 3, partial: 4, actionFailed: 5 } as const;

export const HELP = `Audit a deployed stack against its AWS account (read-only unless --cleanup/--restore with --yes):
idle GPU node groups, oversized caches, unattached volumes, idle NAT gateways, missing review tags.

${USAGE}

  --stack S            the stack whose stacks/Pulumi.<S>.yaml names the cluster and region (required)
  --days N             look back N days of CloudWatch data, 1 to 455 (default 14)
  --json F, --markdown F   write the report (relative paths: against the folder you run the command in)
  --cleanup            propose clean-up actions; with --yes, apply them (--allow <resource> for prod ones)
  --restore            undo earlier clean-up actions; with --yes, apply
  --help, -h           this text

Exit codes:
  0  audit complete
  2  usage, stack config, AWS credentials or an unknown cluster
  3  another AWS failure stopped the run
  4  partial: some checks could not run (listed under "Not audited")
  5  a clean-up or restore action failed (what was done and how to undo it is printed)`;

export interface AuditArgs {
    stack: string;
    days: number;
    json?: string;
    markdown?: string;
    cleanup: boolean;
    restore: boolean;
    yes: boolean;
    /** Resource ids (node group, cache, volume, NAT gateway) the clean-up may act on in prod or of a production-tier team. */
    allow: string[];
}

export function parseAuditArgs(argv: readonly string[]): AuditArgs {
    const args: Partial<AuditArgs> & { allow: string[] } = { days: 14, cleanup: false, restore: false, yes: false, allow: [] };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const value = () => {
            const v = argv[++i];
            if (v === undefined || v.startsWith("--")) throw new UsageError(`${a} needs a value\n${USAGE}`);
            return v;
        };
        if (a === "--stack") args.stack = value();
        else if (a === "--days") {
            const d = Number(value());
            if (!Number.isInteger(d) || d < 1 || d > 455) throw new UsageError(`--days ${argv[i]} is not allowed: a whole number of days from 1 to 455 (CloudWatch keeps hourly data 455 days)\n${USAGE}`);
            args.days = d;
        } else if (a === "--json") args.json = value();
        else if (a === "--markdown") args.markdown = value();
        else if (a === "--cleanup") args.cleanup = true;
        else if (a === "--restore") args.restore = true;
        else if (a === "--yes") args.yes = true;
        else if (a === "--allow") args.allow.push(value());
        else throw new UsageError(`unknown argument ${a}\n${USAGE}`);
    }
    if (!args.stack) throw new UsageError(`--stack is required\n${USAGE}`);
    if (args.cleanup && args.restore) throw new UsageError(`--cleanup and --restore exclude each other\n${USAGE}`);
    if (args.yes && !args.cleanup && !args.restore) throw new UsageError(`--yes only confirms --cleanup or --restore\n${USAGE}`);
    if (args.allow.length > 0 && !args.cleanup) throw new UsageError(`--allow only applies to --cleanup\n${USAGE}`);
    return args as AuditArgs;
}

/**
 * The environment's allowed GPU types from the policy pack's config, so the audit never proposes a type
 * `gpu-instance-allowlist` would reject; the pack's default when the file or key is absent.
 */
export function allowedInstanceTypes(environment: string): string[] {
    const file = path.join(PROJECT_DIR, "policies", "config", `${environment}.json`);
    if (!fs.existsSync(file)) return DEFAULT_ALLOWED_GPU_TYPES;
    const value = (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, { allowedInstanceTypes?: unknown } | undefined>)["gpu-instance-allowlist"]?.allowedInstanceTypes;
    return Array.isArray(value) && value.every((p) => typeof p === "string") ? value : DEFAULT_ALLOWED_GPU_TYPES;
}

const failed = (actions: CleanupAction[]) => actions.some((a) => a.status === "failed");

/** The audit CLI; returns its exit code. Clients are injectable so tests never reach AWS. */
export async function main(argv: readonly string[], deps: { clients?: (region: string) => AuditClients; now?: Date; log?: (s: string) => void; error?: (s: string) => void } = {}): Promise<number> {
    const log = deps.log ?? console.log;
    const error = deps.error ?? console.error;
    if (argv.includes("--help") || argv.includes("-h")) {
        log(HELP);
        return EXIT.ok;
    }
    try {
        const args = parseAuditArgs(argv);
        // Reports are written after minutes of AWS calls: find an unwritable path first.
        if (args.json) args.json = checkOutput("--json", args.json, invocationDir());
        if (args.markdown) args.markdown = checkOutput("--markdown", args.markdown, invocationDir());
        const project = readProjectName(PROJECT_DIR);
        const { config: raw } = readStackFile(path.join(PROJECT_DIR, "stacks", `Pulumi.${args.stack}.yaml`), project);
        const config = parseStackConfig(raw);
        if (!config.region) throw new UsageError(`stack ${args.stack} sets no aws:region; the audit reads the region from the stack config`);
        const clients = (deps.clients ?? createClients)(config.region);
        const now = deps.now ?? new Date();
        if (args.restore) {
            const actions = await restore(clients, { cluster: config.cluster.name, apply: args.yes, log: (m) => error(m) });
            if (args.json) fs.writeFileSync(args.json, JSON.stringify({ stack: args.stack, restore: actions }, null, 2) + "\n");
            log(actionsText(actions, args.yes, "Restore"));
            return failed(actions) ? EXIT.actionFailed : EXIT.ok;
        }
        const result = await runAudit(clients, { stack: args.stack, config, days: args.days, now, progress: (m) => error(`… ${m}`), allowedInstanceTypes: allowedInstanceTypes(config.environment) });
        const actions = args.cleanup ? await cleanup(clients, result.findings, {
            cluster: config.cluster.name, stack: args.stack, environment: config.environment, apply: args.yes, allow: new Set(args.allow),
            productionTeams: new Set(config.teams.filter((t) => t.gateway?.tier === "production").map((t) => t.id)),
            nodeGroups: config.nodeGroups, now, log: (m) => error(m),
        }) : [];
        // Written whatever happened during the clean-up: the report is the record of what was changed.
        if (args.json) fs.writeFileSync(args.json, JSON.stringify(auditJson(result, actions), null, 2) + "\n");
        if (args.markdown) fs.writeFileSync(args.markdown, auditMarkdown(result, actions));
        log(auditText(result, actions, args.yes));
        if (failed(actions)) return EXIT.actionFailed;
        return result.status === "partial" ? EXIT.partial : EXIT.ok;
    } catch (e) {
        if (e instanceof UsageError || e instanceof ConfigError) {
            error(`error: ${e.message}`);
            return EXIT.usage;
        }
        if (e instanceof AuditError) {
            error(`error: ${e.message}`);
            return e.exitCode;
        }
        throw e;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => {
        console.error(e instanceof Error ? e.stack : e);
        process.exit(3);
    });
}
