import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { runInPulumiStack } from "@pulumi/pulumi/runtime/stack";
import { computedOutputs, genericInvoke, INVOKE_MOCKS, invokeMock, MockContext } from "./mocks";

/** One resource as the program declared it. */
export interface RecordedResource {
    urn: string;
    type: string;
    name: string;
    /** URN of the parent; undefined only for the stack itself. */
    parent?: string;
    custom: boolean;
    /** Inputs with secrets in plain text: what policies see (as the Pulumi engine shows them to a pack). */
    inputs: Record<string, unknown>;
    /** Dotted paths of inputs that were secrets, for redacting reports. */
    secretPaths: string[];
    provider?: string;
    protect: boolean;
    ignoreChanges: string[];
    dependencies: string[];
}

export interface ProgramRun {
    resources: RecordedResource[];
    outputs: Record<string, unknown>;
}

export interface RunOptions {
    project: string;
    stack: string;
    /** Full config map as Pulumi passes it to a program (`ns:key` → string). */
    config: Record<string, string>;
    secretKeys: string[];
    /** The program: what index.ts exports. */
    program: () => Promise<unknown>;
    region: string;
    /**
     * Called for an invoke plan/mocks.ts has no answer for; when set, the invoke gets a generic plausible
     * answer instead of failing the run (foreign programs: `--program`).
     */
    onUnknownInvoke?: (token: string) => void;
}

const SECRET_SIG = rpc.specialSigKey;

function isSecretWrapper(v: unknown): v is { value: unknown } {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG] === rpc.specialSecretSig;
}

/** Unwrap secret markers, remembering where they were. */
export function unwrapSecrets(value: unknown, path: string, secretPaths: string[]): unknown {
    if (isSecretWrapper(value)) {
        secretPaths.push(path);
        return unwrapSecrets(value.value, path, []);
    }
    if (Array.isArray(value)) return value.map((v, i) => unwrapSecrets(v, `${path}[${i}]`, secretPaths));
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) out[k] = unwrapSecrets(v, path ? `${path}.${k}` : k, secretPaths);
        return out;
    }
    return value;
}

/**
 * The SDK's mock monitor puts the root stack's type in its children's URNs; the Pulumi engine does not
 * (`urn:pulumi:dev::ai-infra::ai-infra:platform:Platform::ai`). Report URNs as the engine writes them.
 */
export function engineUrn(urn: string): string {
    return urn.replace("::pulumi:pulumi:Stack$", "::");
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getObject(): Parameters<typeof rpc.deserializeProperties>[0];
    getProvider(): string;
    getProtect(): boolean;
    getIgnorechangesList(): string[];
    getDependenciesList(): string[];
}
type Callback = (err: Error | null, resp?: { getUrn(): string }) => void;

/**
 * Run a Pulumi program in-process under the SDK's mock runtime with `preview = false`, so outputs
 * resolve and every apply runs as in `pulumi up`, and record every resource registration with its URN,
 * parent and resolved inputs.
 */
export async function runProgram(opts: RunOptions): Promise<ProgramRun> {
    const ctx: MockContext = { region: opts.region };
    const mocks: pulumi.runtime.Mocks = {
        newResource: (args) => {
            const inputs = unwrapSecrets(args.inputs, "", []) as Record<string, unknown>;
            return { id: args.custom === false ? undefined : `${args.name}-id`, state: { ...args.inputs, ...computedOutputs(args.type, args.name, inputs, ctx) } };
        },
        call: (args) => {
            if (opts.onUnknownInvoke && !(args.token in INVOKE_MOCKS)) {
                opts.onUnknownInvoke(args.token);
                return genericInvoke(args.token, args.inputs as Record<string, unknown>, ctx);
            }
            return invokeMock(args.token, args.inputs as Record<string, unknown>, ctx);
        },
    };
    pulumi.runtime.setAllConfig(opts.config, opts.secretKeys);
    await pulumi.runtime.setMocks(mocks, opts.project, opts.stack, false);

    const resources: RecordedResource[] = [];
    const monitor = settings.getMonitor() as unknown as MockMonitor & { registerResource(req: RegisterRequest, cb: Callback): Promise<void> };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: RegisterRequest, callback: Callback) => register(req, (err, resp) => {
        if (!err && resp) {
            const secretPaths: string[] = [];
            const inputs = unwrapSecrets(rpc.deserializeProperties(req.getObject()), "", secretPaths) as Record<string, unknown>;
            resources.push({
                urn: engineUrn(resp.getUrn()),
                type: req.getType(),
                name: req.getName(),
                parent: req.getParent() ? engineUrn(req.getParent()) : undefined,
                custom: req.getCustom(),
                inputs,
                secretPaths,
                provider: req.getProvider() ? engineUrn(req.getProvider()) : undefined,
                protect: req.getProtect(),
                ignoreChanges: req.getIgnorechangesList(),
                dependencies: req.getDependenciesList().map(engineUrn),
            });
        }
        callback(err, resp);
    });

    // Errors raised inside applies surface as unhandled rejections: collect them as the engine would.
    const asyncErrors: unknown[] = [];
    const onRejection = (reason: unknown) => { asyncErrors.push(reason); };
    process.on("unhandledRejection", onRejection);
    try {
        const outputs = await runInPulumiStack(opts.program);
        await settings.disconnect();
        if (asyncErrors.length > 0) throw asyncErrors[0];
        return { resources, outputs: (outputs ?? {}) as Record<string, unknown> };
    } finally {
        process.off("unhandledRejection", onRejection);
    }
}
