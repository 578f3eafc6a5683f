import { RecordedResource, runProgram } from "../plan/mockRuntime";

/** Run a snippet that declares resources under the plan's mock runtime and return what it registered. */
export async function declare(program: () => unknown, config: Record<string, string> = {}, region = "us-east-1"): Promise<RecordedResource[]> {
    const run = await runProgram({
        project: "ai-infra", stack: "test", config, secretKeys: [], region,
        program: async () => { program(); return {}; },
    });
    return run.resources;
}

export function ofType(resources: RecordedResource[], type: string): RecordedResource[] {
    return resources.filter((r) => r.type === type);
}

export function one(resources: RecordedResource[], type: string, name?: string): RecordedResource {
    const found = resources.filter((r) => r.type === type && (name === undefined || r.name === name));
    if (found.length !== 1) throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
    return found[0];
}

export const TEST_CERTIFICATE_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0b0b0b0b-1111-2222-3333-444444444444";

/** A valid config map as Pulumi passes it; override keys to test one problem at a time. */
export function baseConfig(overrides: Record<string, unknown> = {}): Record<string, string> {
    const values: Record<string, unknown> = {
        "aws:region": "us-east-1",
        "ai-infra:environment": "dev",
        "ai-infra:owner": "platform@example.com",
        "ai-infra:costCenter": "CC-PLATFORM",
        "ai-infra:monthlyBudgetUsd": "10000",
        "ai-infra:cluster": { name: "ai-test", create: true },
        "ai-infra:teams": {
            "ml-research": { costCenter: "CC-1001", owner: "ml@example.com", monthlyBudgetUsd: 5000, gateway: { tier: "batch", requestsPerMinute: 300, tokensPerMinute: 100000 } },
            search: { costCenter: "CC-2002", owner: "search@example.com", monthlyBudgetUsd: 4000 },
        },
        "ai-infra:nodeGroups": {
            "llm-spot": { team: "ml-research", capacity: "spot", instanceTypes: ["g6.xlarge", "g5.xlarge"], minSize: 0, maxSize: 4, desiredSize: 0 },
        },
        "ai-infra:gateway": { tls: { certificateArn: TEST_CERTIFICATE_ARN } },
        ...overrides,
    };
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) if (v !== undefined) out[k] = typeof v === "string" ? v : JSON.stringify(v);
    return out;
}

/**
 * Whether the bundled stacks' gpt-4o-mini is inside model-retirement-notice's 90 days today: the advisory
 * the bundled plans carry depends on the date (its shutdown is announced for 2027-01-14).
 */
export function bundledModelNoticeDue(): boolean {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { modelLifecycle } = require("../components/modelLifecycle") as typeof import("../components/modelLifecycle");
    const life = modelLifecycle("openai", "gpt-4o-mini");
    return life.phase === "retiring" && life.days <= 90;
}
