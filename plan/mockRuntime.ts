import * as pulumi from "@pulumi/pulumi";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { runInPulumiStack } from "@pulumi/pulumi/runtime/stack";
import { computedOutputs, genericInvoke, INVOKE_MOCKS, invokeMock, MockContext } from "./mocks";

/** `debuggablePromise` is internal to the SDK (absent from its typings); its module object is what the SDK calls through. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: <T>(p: Promise<T>, ctx?: unknown) => Promise<T> };

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
    getObject(): { toJavaScript(): Record<string, unknown> };
    getProvider(): string;
    getImportid(): string;
    getProtect(): boolean;
    getIgnorechangesList(): string[];
    getDependenciesList(): string[];
}
/** The part of a RegisterResourceResponse the SDK reads (@pulumi/pulumi runtime/resource.js, registerResource). */
interface RegisterResponse {
    getUrn(): string;
    getId(): string;
    getObject(): { toJavaScript(): unknown };
    getPropertydependenciesMap(): undefined;
    getResult(): number;
}
type Callback = (err: Error | null, resp?: RegisterResponse) => void;
/** MockMonitor's members this runtime uses: they are public in its JavaScript, not in its typings. */
interface FastMonitor {
    registerResource(req: RegisterRequest, cb: Callback): Promise<void>;
    newUrn(parent: string, type: string, name: string): string;
    resources: Map<string, { urn: string; id: string | null; state: unknown }>;
}

/** Environment variable that keeps stack traces while the program runs, to debug a crash inside it. */
export const STACK_TRACES_ENV = "AI_INFRA_PLAN_STACK_TRACES";

/**
 * The SDK records a stack trace for every output promise it creates (`debuggablePromise`), for its own
 * leak reports: 36 % of a 1,400-resource plan's CPU and two thirds of the tests' (perf review, sections c
 * and d). The plan reports errors by message, so traces are off while the program runs unless asked for.
 */
export function keepStackTraces(): boolean {
    const v = process.env[STACK_TRACES_ENV];
    return v !== undefined && v !== "" && v !== "0";
}

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
    const monitor = settings.getMonitor() as unknown as FastMonitor;
    // Replaces MockMonitor.registerResource (@pulumi/pulumi runtime/mocks.js) with the same result for
    // less work per resource: the SDK's request Struct is read and deserialised once (the mock did it for
    // itself and the recorder again), the inputs go back as outputs in the serialised form they came in
    // (the mock deserialised and re-serialised them), and the response carries the state as it is instead
    // of a Struct that the SDK converts straight back (and stringifies for a debug log it never prints).
    // Outputs resolve exactly as before; this keeps a 1,400-resource plan within 2x of the dev plan
    // (perf review, section c). `mocks.newResource` still serves the SDK's other paths (read resources).
    monitor.registerResource = async (req: RegisterRequest, callback: Callback) => {
        try {
            const raw = req.getObject().toJavaScript();
            const type = req.getType();
            const name = req.getName();
            const secretPaths: string[] = [];
            const inputs = unwrapSecrets(rpc.deserializeProperties({ toJavaScript: () => raw } as Parameters<typeof rpc.deserializeProperties>[0]), "", secretPaths) as Record<string, unknown>;
            const id = req.getCustom() ? `${name}-id` : undefined;
            const urn = monitor.newUrn(req.getParent(), type, name);
            // Outputs = the inputs as sent (already serialised) + what the provider would compute.
            const state = { ...raw, ...(await rpc.serializeProperties("", computedOutputs(type, name, inputs, ctx))) };
            monitor.resources.set(urn, { urn, id: id ?? null, state });
            resources.push({
                urn: engineUrn(urn),
                type,
                name,
                parent: req.getParent() ? engineUrn(req.getParent()) : undefined,
                custom: req.getCustom(),
                inputs,
                secretPaths,
                provider: req.getProvider() ? engineUrn(req.getProvider()) : undefined,
                protect: req.getProtect(),
                ignoreChanges: req.getIgnorechangesList(),
                dependencies: req.getDependenciesList().map(engineUrn),
            });
            callback(null, {
                getUrn: () => urn,
                getId: () => id ?? "",
                getObject: () => ({ toJavaScript: () => state }),
                getPropertydependenciesMap: () => undefined,
                getResult: () => 0, // pulumirpc.Result.SUCCESS, as a RegisterResourceResponse defaults to
            });
        } catch (err) {
            callback(err as Error);
        }
    };

    // Errors raised inside applies surface as unhandled rejections: collect them as the engine would.
    const asyncErrors: unknown[] = [];
    const onRejection = (reason: unknown) => { asyncErrors.push(reason); };
    process.on("unhandledRejection", onRejection);
    const stackTraceLimit = Error.stackTraceLimit;
    // Every resource's constructor also captures a full-depth stack (Resource.callsites, @pulumi/pulumi
    // resource.js, which lifts the limit to Infinity) to send its source position to the engine; the
    // mock monitor discards it. Skipped with the traces, restored afterwards.
    const resourceClass = pulumi.Resource as unknown as { callsites: () => unknown[] };
    const callsites = resourceClass.callsites;
    // debuggablePromise wraps each of the SDK's internal promises in two more, with a trace and a
    // leak-candidate entry, for a report printed when a real deployment exits with promises pending.
    // The plan resolves or rejects every registration itself and exits through the CLI, so the wrapper
    // is only garbage here (the SDK calls it through the module object, so replacing it takes effect).
    const debuggablePromise = debuggable.debuggablePromise;
    if (!keepStackTraces()) {
        Error.stackTraceLimit = 0;
        resourceClass.callsites = () => [];
        debuggable.debuggablePromise = <T>(p: Promise<T>) => p;
    }
    try {
        const outputs = await runInPulumiStack(opts.program);
        await settings.disconnect();
        if (asyncErrors.length > 0) throw asyncErrors[0];
        return { resources, outputs: (outputs ?? {}) as Record<string, unknown> };
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
        resourceClass.callsites = callsites;
        debuggable.debuggablePromise = debuggablePromise;
        process.off("unhandledRejection", onRejection);
    }
}
