import { strict as assert } from "assert";
import type { TeamConfig } from "../../../components/config";
import type { GatewayConfig } from "../../../components/configGateway";
import { renderRateLimitPolicy, renderTierTrafficPolicy, teamRateRules, teamsAdmitted } from "../../../components/gateway/quotas";

type Spec = Record<string, any>;
const meta = { namespace: "ai-gateway", labels: { team: "platform" } };
const team = (id: string, gateway?: TeamConfig["gateway"]): TeamConfig => ({ id, costCenter: "CC", owner: "o@example.com", monthlyBudgetUsd: 1, gateway });
const TEAMS = [
    team("prod-team", { tier: "production", requestsPerMinute: 10, tokensPerMinute: 1000 }),
    team("batch-team", { tier: "batch", requestsPerMinute: 20, tokensPerMinute: 2000 }),
    team("no-gateway"),
];
const gw = (production: number, batch: number) => ({ maxParallelRequests: { production, batch } }) as GatewayConfig;
const traffic = (tier: "production" | "batch", parallel: { production: number; batch: number }, priorities = 1) =>
    renderTierTrafficPolicy(tier, ["r1", "r2"], gw(parallel.production, parallel.batch), meta, priorities).spec as Spec;

describe("gateway quota math (components/gateway/quotas.ts)", () => {
    it("admits teams without gateway access to no tier, production teams to both, batch teams to batch only", () => {
        assert.deepEqual(teamsAdmitted("production", TEAMS).map((t) => t.id), ["prod-team"]);
        assert.deepEqual(teamsAdmitted("batch", TEAMS).map((t) => t.id), ["prod-team", "batch-team"]);
    });

    it("gives rate-limit rules only to teams with gateway access", () => {
        assert.deepEqual(teamRateRules(TEAMS), [
            { team: "prod-team", requestsPerMinute: 10, tokensPerMinute: 1000 },
            { team: "batch-team", requestsPerMinute: 20, tokensPerMinute: 2000 },
        ]);
        const rules = (renderRateLimitPolicy("gw", TEAMS, meta).spec as Spec).rateLimit.global.rules as Spec[];
        assert.deepEqual(rules.map((r) => [r.clientSelectors[0].headers[0].value, r.limit.requests]), [["prod-team", 10], ["prod-team", 1000], ["batch-team", 20], ["batch-team", 2000]]);
        assert.deepEqual((renderRateLimitPolicy("gw", [team("x")], meta).spec as Spec).rateLimit.global.rules, []);
    });

    it("queues as many requests as production runs in parallel, but only a quarter of batch's (at least 1)", () => {
        const parallel = { production: 100, batch: 8 };
        assert.deepEqual(traffic("production", parallel).circuitBreaker, {
            maxConnections: 100, maxParallelRequests: 100, maxPendingRequests: 100, retryBudget: { percent: { numerator: 20 }, minRetryConcurrency: 3 },
        });
        assert.equal(traffic("production", { production: 7, batch: 7 }).circuitBreaker.maxPendingRequests, 7);
        assert.deepEqual(traffic("batch", parallel).circuitBreaker, {
            maxConnections: 8, maxParallelRequests: 8, maxPendingRequests: 2, retryBudget: { percent: { numerator: 20 }, minRetryConcurrency: 3 },
        });
        assert.equal(traffic("batch", { production: 100, batch: 7 }).circuitBreaker.maxPendingRequests, 1, "a quarter rounds down");
        assert.equal(traffic("batch", { production: 100, batch: 4 }).circuitBreaker.maxPendingRequests, 1);
        assert.equal(traffic("batch", { production: 100, batch: 3 }).circuitBreaker.maxPendingRequests, 1, "never below 1");
        assert.equal(traffic("batch", { production: 100, batch: 1 }).circuitBreaker.maxPendingRequests, 1);
    });

    it("retries once per fallback backend beyond the first, at least once, each on the next priority", () => {
        for (const [priorities, retries] of [[1, 1], [2, 1], [3, 2], [4, 3]]) {
            assert.equal(traffic("batch", { production: 8, batch: 8 }, priorities).retry.numRetries, retries, `${priorities} backends`);
        }
        assert.deepEqual(traffic("production", { production: 8, batch: 8 }, 3).retry, {
            numRetries: 2, numAttemptsPerPriority: 1,
            retryOn: { triggers: ["connect-failure", "reset", "refused-stream", "retriable-status-codes"], httpStatusCodes: [503] },
            perRetry: { backOff: { baseInterval: "100ms", maxInterval: "1s" } },
        });
    });

    it("ejects an upstream after five failures in a row and bounds connect and idle time, for both tiers", () => {
        for (const tier of ["production", "batch"] as const) {
            const s = traffic(tier, { production: 8, batch: 8 });
            assert.deepEqual(s.targetRefs, [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "r1" }, { group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "r2" }]);
            assert.equal(s.mergeType, "StrategicMerge");
            assert.deepEqual(s.healthCheck, { passive: { consecutive5XxErrors: 5, consecutiveGatewayErrors: 5, interval: "10s", baseEjectionTime: "30s", maxEjectionPercent: 100 } });
            assert.deepEqual(s.timeout, { tcp: { connectTimeout: "5s" }, http: { connectionIdleTimeout: "300s" } });
        }
    });
});
