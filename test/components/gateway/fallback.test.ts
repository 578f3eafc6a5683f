import { strict as assert } from "assert";
import { hasWarmFloor, K8sObject, planGateway } from "../../../components/gateway";
import { ConfigError } from "../../../components/config";
import { chargebackLabels } from "../../../components/tags";
import { gatewayStack } from "./fixtures";

const meta = { namespace: "ai-gateway", labels: chargebackLabels({ team: "platform", costCenter: "CC-P", environment: "dev", owner: "p@example.com" }) };
type Spec = Record<string, any>;
const spec = (o: K8sObject) => o.spec as Spec;

function plan(overrides: Record<string, unknown> = {}) {
    const config = gatewayStack(overrides);
    return planGateway({ config: config.gateway, teams: config.teams, nodeGroups: config.nodeGroups, region: "us-east-1", meta });
}

const NODE_GROUPS = (spot: Record<string, unknown>) => ({
    "search-ondemand": { team: "search", capacity: "on-demand", instanceTypes: ["g6.2xlarge"], minSize: 1, maxSize: 2, desiredSize: 1 },
    "research-spot": { team: "ml-research", capacity: "spot", instanceTypes: ["g6.xlarge", "g5.xlarge"], maxSize: 2, ...spot },
});

/**
 * The backend each attempt of one request goes to, as Envoy's previous_priorities predicate picks it:
 * with `numAttemptsPerPriority: n` every n attempts move to the next priority not yet tried; without it
 * every attempt goes to the highest healthy priority (priority 0 when nothing was ejected yet).
 */
function attempts(policy: K8sObject, rule: Spec): string[] {
    const retry = spec(policy).retry;
    const byPriority = [...(rule.backendRefs as Spec[])].sort((a, b) => a.priority - b.priority).map((b) => b.name as string);
    const per = retry.numAttemptsPerPriority as number | undefined;
    return Array.from({ length: 1 + retry.numRetries }, (_, i) => byPriority[per ? Math.min(Math.floor(i / per), byPriority.length - 1) : 0]);
}

describe("gateway fallback on retry", () => {
    it("moves every failed attempt to the next priority, on connect failures, resets and 503", () => {
        for (const t of plan().tiers) {
            const retry = spec(t.trafficPolicy).retry;
            assert.equal(retry.numAttemptsPerPriority, 1, t.tier);
            for (const trigger of ["connect-failure", "reset", "retriable-status-codes"]) assert.ok(retry.retryOn.triggers.includes(trigger), `${t.tier}: ${trigger}`);
            assert.deepEqual(retry.retryOn.httpStatusCodes, [503]);
            assert.deepEqual(spec(t.trafficPolicy).circuitBreaker.retryBudget, { percent: { numerator: 20 }, minRetryConcurrency: 3 }, "retries stay within 20 % of active requests");
        }
    });

    it("reaches the last backend of every model: a request whose spot pool is at zero is served by the next backend", () => {
        for (const t of plan().tiers) {
            for (const rule of spec(t.routes[0]).rules as Spec[]) {
                const tried = attempts(t.trafficPolicy, rule);
                assert.deepEqual(new Set(tried), new Set((rule.backendRefs as Spec[]).map((b) => b.name)), `${t.tier} ${rule.matches[0].headers[0].value}: ${tried}`);
            }
        }
        const batchLlama = (spec(plan().tiers[1].routes[0]).rules as Spec[]).find((r) => r.matches[0].headers[0].value === "llama")!;
        assert.deepEqual(attempts(plan().tiers[1].trafficPolicy, batchLlama).slice(0, 2), ["llama-spot", "bedrock"], "the first retry leaves the cold spot pool");
    });

    it("would keep retrying priority 0 without numAttemptsPerPriority (the attempt model is not a rubber stamp)", () => {
        const t = plan().tiers[1];
        const without = { ...t.trafficPolicy, spec: { ...spec(t.trafficPolicy), retry: { ...spec(t.trafficPolicy).retry, numAttemptsPerPriority: undefined } } };
        const llama = (spec(t.routes[0]).rules as Spec[]).find((r) => r.matches[0].headers[0].value === "llama")!;
        assert.deepEqual(new Set(attempts(without, llama)), new Set(["llama-spot"]));
    });

    it("ranks a GPU pool first for production only when its node group keeps a node at all times", () => {
        const productionLlama = (spot: Record<string, unknown>) => {
            const p = plan({ "ai-infra:nodeGroups": NODE_GROUPS(spot) });
            const rule = (spec(p.tiers[0].routes[0]).rules as Spec[]).find((r) => r.matches[0].headers[0].value === "llama")!;
            return (rule.backendRefs as Spec[]).map((b) => b.name);
        };
        assert.deepEqual(productionLlama({ minSize: 0, desiredSize: 0 }), ["llama-ondemand", "bedrock", "llama-spot"]);
        assert.deepEqual(productionLlama({ minSize: 1, desiredSize: 1 }), ["llama-ondemand", "llama-spot", "bedrock"], "a warm spot floor ranks before the provider");
        assert.deepEqual(productionLlama({ minSize: 1, desiredSize: 1, schedules: [{ name: "night", cron: "0 22 * * *", minSize: 0, maxSize: 2, desiredSize: 0 }] }),
            ["llama-ondemand", "bedrock", "llama-spot"], "a schedule that lowers the floor to zero makes the pool cold");
        assert.equal(hasWarmFloor({ minSize: 2, schedules: [{ minSize: 1 } as never] }), true);
        assert.equal(hasWarmFloor({ minSize: 2, schedules: [{ minSize: 0 } as never] }), false);
    });

    it("keeps batch on spot first, even from zero, and on-demand last", () => {
        const rule = (spec(plan().tiers[1].routes[0]).rules as Spec[]).find((r) => r.matches[0].headers[0].value === "llama")!;
        assert.deepEqual((rule.backendRefs as Spec[]).map((b) => [b.name, b.priority]), [["llama-spot", 0], ["bedrock", 1], ["llama-ondemand", 2]]);
    });

    it("rejects a model production teams can only reach through node groups that can be at zero", () => {
        const gateway = {
            tiers: { production: { hostname: "ai.example.com" }, batch: { hostname: "batch.ai.example.com" } },
            tls: { insecureHttp: true },
            backends: [{ name: "llama-spot", provider: "in-cluster", models: ["llama"], nodeGroup: "research-spot", service: { name: "vllm", namespace: "ml", port: 8000 } }],
        };
        assert.throws(() => gatewayStack({ "ai-infra:gateway": gateway }), (e: unknown) => e instanceof ConfigError && e.problems.length === 1
            && e.problems[0].message.startsWith('ai-infra:gateway.backends: ["llama-spot"] is not allowed: model "llama" is served to production teams only by in-cluster backends whose node groups can be at zero (research-spot)'));
        assert.doesNotThrow(() => gatewayStack({ "ai-infra:gateway": gateway, "ai-infra:nodeGroups": NODE_GROUPS({ minSize: 1, desiredSize: 1 }) }));
    });
});
