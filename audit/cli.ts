import * as fs from "fs";
import * as path from "path";
import { ConfigError, parseStackConfig } from "../components/config";
import { PROJECT_DIR } from "../plan/plan";
import { readProjectName, readStackFile, UsageError } from "../plan/stackFile";
import { cleanup } from "./cleanup";
import { AuditClients, createClients } from "./clients";
import { AuditError } from "./errors";
import { auditJson, auditMarkdown, auditText } from "./report";
import { runAudit } from "./run";

export const USAGE = "usage: npm run audit -- --stack <stack> [--days 14] [--json F] [--markdown F] [--cleanup] [--yes]";

export interface AuditArgs {
    stack: string;
    days: number;
    json?: string;
    markdown?: string;
    cleanup: boolean;
    yes: boolean;
}

export function parseAuditArgs(argv: readonly string[]): AuditArgs {
    const args: Partial<AuditArgs> = { days: 14, cleanup: false, yes: false };
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
        else if (a === "--yes") args.yes = true;
        else throw new UsageError(`unknown argument ${a}\n${USAGE}`);
    }
    if (!args.stack) throw new UsageError(`--stack is required\n${USAGE}`);
    if (args.yes && !args.cleanup) throw new UsageError(`--yes only confirms --cleanup\n${USAGE}`);
    return args as AuditArgs;
}

/** The audit CLI; returns its exit code. Clients are injectable so tests never reach AWS. */
export async function main(argv: readonly string[], deps: { clients?: (region: string) => AuditClients; now?: Date; log?: (s: string) => void; error?: (s: string) => void } = {}): Promise<number> {
    const log = deps.log ?? console.log;
    const error = deps.error ?? console.error;
    try {
        const args = parseAuditArgs(argv);
        const project = readProjectName(PROJECT_DIR);
        const { config: raw } = readStackFile(path.join(PROJECT_DIR, "stacks", `Pulumi.${args.stack}.yaml`), project);
        const config = parseStackConfig(raw);
        if (!config.region) throw new UsageError(`stack ${args.stack} sets no aws:region; the audit reads the region from the stack config`);
        const clients = (deps.clients ?? createClients)(config.region);
        const result = await runAudit(clients, { stack: args.stack, config, days: args.days, now: deps.now, progress: (m) => error(`… ${m}`) });
        const actions = args.cleanup ? await cleanup(clients, config.cluster.name, result.findings, args.yes, (m) => error(m), deps.now) : [];
        if (args.json) fs.writeFileSync(args.json, JSON.stringify(auditJson(result, actions), null, 2) + "\n");
        if (args.markdown) fs.writeFileSync(args.markdown, auditMarkdown(result, actions));
        log(auditText(result, actions));
        return 0;
    } catch (e) {
        if (e instanceof UsageError || e instanceof ConfigError) {
            error(`error: ${e.message}`);
            return 2;
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
