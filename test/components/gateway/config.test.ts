import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, parseStackConfig } from "../../../components/config";
import { main } from "../../../plan/cli";
import { baseConfig, TEST_CERTIFICATE_ARN } from "../../helpers";

const TEAMS = {
    "ml-research": { costCenter: "CC-1001", owner: "ml@example.com", monthlyBudgetUsd: 5000, gateway: { tier: "batch", requestsPerMinute: 300, tokensPerMinute: 100000 } },
    search: { costCenter: "CC-2002", owner: "search@example.com", monthlyBudgetUsd: 4000, gateway: { tier: "production", requestsPerMinute: 600, tokensPerMinute: 200000 } },
};
const TIERS = { production: { hostname: "ai-production.example.com" }, batch: { hostname: "ai.example.com" } };
const ACM = { certificateArn: TEST_CERTIFICATE_ARN };

function problems(gateway: Record<string, unknown>, overrides: Record<string, unknown> = {}): string[] {
    try {
        parseStackConfig(baseConfig({ "ai-infra:teams": TEAMS, "ai-infra:gateway": gateway, ...overrides }));
        return [];
    } catch (e) {
        if (e instanceof ConfigError) return e.problems.map((p) => p.message);
        throw e;
    }
}

describe("gateway config: tier listeners and the quota failure mode", () => {
    it("accepts a listener per tier and defaults the failure mode to open", () => {
        const c = parseStackConfig(baseConfig({ "ai-infra:teams": TEAMS, "ai-infra:gateway": { tls: ACM, tiers: TIERS } }));
        assert.deepEqual(c.gateway.tiers, TIERS);
        assert.equal(c.gateway.rateLimitFailureMode, "open");
        const closed = parseStackConfig(baseConfig({ "ai-infra:teams": TEAMS, "ai-infra:gateway": { tls: ACM, tiers: TIERS, rateLimitFailureMode: "closed" } }));
        assert.equal(closed.gateway.rateLimitFailureMode, "closed");
    });

    it("rejects an unknown failure mode, naming the key", () => {
        assert.deepEqual(problems({ tls: ACM, tiers: TIERS, rateLimitFailureMode: "sometimes" }),
            ['ai-infra:gateway.rateLimitFailureMode: "sometimes" is not allowed: must be one of open, closed']);
    });

    it("rejects a tier listener without TLS", () => {
        const secretTiers = { production: { hostname: "ai-production.example.com", tls: { secretName: "prod-tls" } }, batch: { hostname: "ai.example.com" } };
        assert.deepEqual(problems({ tiers: secretTiers }), [
            "ai-infra:gateway.tiers.batch.tls: missing: required, the batch listener admits every admitted team with their API keys, so it needs TLS: give the gateway's tls (one of {certificateArn: <ACM ARN>}, {secretName: <TLS Secret>} or, in dev only, {insecureHttp: true}) or tiers.batch.tls {secretName}",
        ]);
        assert.deepEqual(problems({ tiers: { ...secretTiers, batch: { hostname: "ai.example.com", tls: { secretName: "batch-tls" } } } }), [], "each listener with its own Secret");
    });

    it("rejects a tier TLS that cannot share the port with the other listener", () => {
        assert.match(problems({ tls: ACM, tiers: { ...TIERS, production: { hostname: "ai-production.example.com", tls: { secretName: "prod-tls" } } } })[0],
            /^ai-infra:gateway\.tiers\.production\.tls: \{"secretName":"prod-tls"\} is not allowed: both listeners share one port/);
        assert.match(problems({ tls: ACM, tiers: { ...TIERS, batch: { hostname: "ai.example.com", tls: ACM } } })[0],
            /^ai-infra:gateway\.tiers\.batch\.tls: .* is not allowed: a tier listener may only bring its own \{secretName/);
        assert.match(problems({ tls: { secretName: "gw-tls" }, tiers: { ...TIERS, batch: { hostname: "ai.example.com", tls: { insecureHttp: true } } } })[0],
            /^ai-infra:gateway\.tiers\.batch\.tls: .* plain HTTP is gateway-wide/);
    });

    it("needs distinct host names when both tiers have a listener", () => {
        assert.deepEqual(problems({ tls: ACM }), [
            "ai-infra:gateway.tiers.production.hostname: missing: required, both tiers have a listener on the same port, told apart by host name before any filter runs: give each tier its own DNS host name",
            "ai-infra:gateway.tiers.batch.hostname: missing: required, both tiers have a listener on the same port, told apart by host name before any filter runs: give each tier its own DNS host name",
        ]);
        assert.deepEqual(problems({ tls: ACM, tiers: { production: { hostname: "ai.example.com" }, batch: { hostname: "ai.example.com" } } }),
            ['ai-infra:gateway.tiers.batch.hostname: "ai.example.com" is not allowed: must differ from tiers.production.hostname: the host name is what selects the tier']);
        assert.deepEqual(problems({ tls: ACM, tiers: { ...TIERS, gold: { hostname: "gold.example.com" } } }),
            ['ai-infra:gateway.tiers.gold: unknown key: allowed keys are production, batch']);
        assert.deepEqual(problems({ tls: ACM, tiers: { ...TIERS, batch: { hostname: "AI!" } } }),
            ['ai-infra:gateway.tiers.batch.hostname: "AI!" is not allowed: must be a DNS host name like ai.example.com']);
    });

    it("points the old single hostname at the tier listeners", () => {
        assert.deepEqual(problems({ tls: ACM, tiers: TIERS, hostname: "ai.example.com" }),
            ['ai-infra:gateway.hostname: "ai.example.com" is not allowed: replaced by tiers.production.hostname and tiers.batch.hostname: each tier has its own listener (README, Gateway tiers)']);
    });

    it("lets a single batch listener go without a host name", () => {
        const batchOnly = { "ml-research": TEAMS["ml-research"], search: { ...TEAMS.search, gateway: undefined } };
        assert.deepEqual(problems({ tls: ACM }, { "ai-infra:teams": batchOnly }), []);
    });

    it("makes the plan exit 2 naming each bad gateway key", async () => {
        const prod = fs.readFileSync(path.join(__dirname, "..", "..", "..", "stacks", "Pulumi.prod.yaml"), "utf8");
        const broken = prod.replace(/rateLimitFailureMode: \w+/, "rateLimitFailureMode: sometimes").replace(/^ {6}batch: \{ hostname: .*\}$/m, "      batch: { hostname: ai-production.prod.example.com }");
        assert.notEqual(broken, prod);
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ai-infra-gw-")), "Pulumi.broken.yaml");
        fs.writeFileSync(file, broken);
        let err = "";
        const code = await main(["broken", "--config-file", file], () => undefined, (s) => { err += `${s}\n`; });
        assert.equal(code, 2, err);
        assert.match(err, /ai-infra:gateway\.rateLimitFailureMode: "sometimes" is not allowed: must be one of open, closed/);
        assert.match(err, /ai-infra:gateway\.tiers\.batch\.hostname: "ai-production\.prod\.example\.com" is not allowed: must differ/);
    });
});
