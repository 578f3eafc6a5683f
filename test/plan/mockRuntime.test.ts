import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { keepStackTraces, runProgram, STACK_TRACES_ENV } from "../../plan/mockRuntime";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: unknown };
const resourceClass = pulumi.Resource as unknown as { callsites: unknown };

async function observeDuringRun(env: string | undefined, fail = false): Promise<{ limit: number; callsitesPatched: boolean; debuggablePatched: boolean; error?: unknown }> {
    const saved = process.env[STACK_TRACES_ENV];
    if (env === undefined) delete process.env[STACK_TRACES_ENV];
    else process.env[STACK_TRACES_ENV] = env;
    const callsites = resourceClass.callsites;
    const debuggablePromise = debuggable.debuggablePromise;
    const seen = { limit: -1, callsitesPatched: false, debuggablePatched: false, error: undefined as unknown };
    try {
        await runProgram({
            project: "ai-infra", stack: "test", config: {}, secretKeys: [], region: "us-east-1",
            program: async () => {
                seen.limit = Error.stackTraceLimit;
                seen.callsitesPatched = resourceClass.callsites !== callsites;
                seen.debuggablePatched = debuggable.debuggablePromise !== debuggablePromise;
                new pulumi.ComponentResource("test:index:Thing", "thing");
                if (fail) throw new Error("program failed");
                return {};
            },
        });
    } catch (e) {
        seen.error = e;
    } finally {
        if (saved === undefined) delete process.env[STACK_TRACES_ENV];
        else process.env[STACK_TRACES_ENV] = saved;
    }
    assert.equal(resourceClass.callsites, callsites, "Resource.callsites restored");
    assert.equal(debuggable.debuggablePromise, debuggablePromise, "debuggablePromise restored");
    return seen;
}

describe("mock runtime speed switches", () => {
    it("runs the program without stack capture and restores everything afterwards", async () => {
        const limit = Error.stackTraceLimit;
        const seen = await observeDuringRun(undefined);
        assert.deepEqual({ ...seen, error: undefined }, { limit: 0, callsitesPatched: true, debuggablePatched: true, error: undefined });
        assert.equal(Error.stackTraceLimit, limit);
    });

    it("restores them when the program throws, and reports its error", async () => {
        const limit = Error.stackTraceLimit;
        const seen = await observeDuringRun(undefined, true);
        assert.match(String(seen.error), /program failed/);
        assert.equal(Error.stackTraceLimit, limit);
    });

    it(`keeps stack traces and the SDK's debugging aids when ${STACK_TRACES_ENV} is set`, async () => {
        const seen = await observeDuringRun("1");
        assert.ok(seen.limit > 0);
        assert.equal(seen.callsitesPatched, false);
        assert.equal(seen.debuggablePatched, false);
    });

    it("reads the switch as set unless empty or 0", () => {
        const saved = process.env[STACK_TRACES_ENV];
        try {
            for (const [value, expected] of [[undefined, false], ["", false], ["0", false], ["1", true], ["yes", true]] as const) {
                if (value === undefined) delete process.env[STACK_TRACES_ENV];
                else process.env[STACK_TRACES_ENV] = value;
                assert.equal(keepStackTraces(), expected, `value ${String(value)}`);
            }
        } finally {
            if (saved === undefined) delete process.env[STACK_TRACES_ENV];
            else process.env[STACK_TRACES_ENV] = saved;
        }
    });
});
