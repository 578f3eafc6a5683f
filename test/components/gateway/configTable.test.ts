import { strict as assert } from "assert";
import { ConfigError, parseStackConfig } from "../../../components/config";
import { listenerTiers, listenerTls } from "../../../components/configGateway";
import { baseConfig, TEST_CERTIFICATE_ARN } from "../../helpers";

const P = "ai-infra:gateway";
const ARN_KEY = "arn:aws:secretsmanager:us-east-1:123456789012:secret:openai-key-AbCdEf";
/** Gateway problems only, or [] when accepted; dev with the batch team of the base config unless said. */
function problems(gateway: Record<string, unknown>, over: Record<string, unknown> = {}): string[] {
    try {
        parseStackConfig(baseConfig({ "ai-infra:gateway": gateway, ...over }));
        return [];
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
        return e.problems.map((p) => p.message).filter((m) => m.startsWith(P));
    }
}
const accepted = (gateway: Record<string, unknown>, over: Record<string, unknown> = {}) => parseStackConfig(baseConfig({ "ai-infra:gateway": gateway, ...over })).gateway;
const http = { tls: { insecureHttp: true } };
const openai = (b: Record<string, unknown> = {}) => ({ name: "openai", provider: "openai", models: ["gpt-4o-mini"], credentialsSecretArn: ARN_KEY, ...b });

describe("gateway config: each key made invalid, each boundary probed", () => {
    it("replicas: 1 <= min <= 100, min <= max <= 1000", () => {
        assert.deepEqual(problems({ ...http, replicas: { min: 0 } }), [`${P}.replicas.min: 0 is not allowed: must be an integer from 1 to 100`]);
        assert.deepEqual(problems({ ...http, replicas: { min: 101 } }).slice(0, 1), [`${P}.replicas.min: 101 is not allowed: must be an integer from 1 to 100`]);
        assert.deepEqual(problems({ ...http, replicas: { min: 3, max: 2 } }), [`${P}.replicas.max: 2 is not allowed: must be an integer >= replicas.min (3) and <= 1000`]);
        assert.deepEqual(problems({ ...http, replicas: { max: 1001 } }), [`${P}.replicas.max: 1001 is not allowed: must be an integer >= replicas.min (2) and <= 1000`]);
        assert.deepEqual(accepted({ ...http, replicas: { min: 100, max: 1000 } }).replicas, { min: 100, max: 1000 });
        assert.deepEqual(accepted({ ...http, replicas: { min: 12 } }).replicas, { min: 12, max: 12 });
        assert.deepEqual(accepted({ ...http, replicas: { min: 1, max: 1 } }).replicas, { min: 1, max: 1 });
        assert.deepEqual(accepted({ ...http }).replicas, { min: 2, max: 10 });
    });

    it("maxParallelRequests: production 1..100000, batch 1..production", () => {
        const mpr = (m: Record<string, unknown>) => problems({ ...http, maxParallelRequests: m });
        assert.deepEqual(mpr({ production: 0 }), [`${P}.maxParallelRequests.production: 0 is not allowed: must be an integer from 1 to 100000`, `${P}.maxParallelRequests.batch: 64 is not allowed: must be an integer from 1 to maxParallelRequests.production (1024): batch is shed first`].slice(0, 1));
        assert.deepEqual(mpr({ production: 100001, batch: 1 }), [`${P}.maxParallelRequests.production: 100001 is not allowed: must be an integer from 1 to 100000`]);
        assert.deepEqual(mpr({ production: 8, batch: 9 }), [`${P}.maxParallelRequests.batch: 9 is not allowed: must be an integer from 1 to maxParallelRequests.production (8): batch is shed first`]);
        assert.deepEqual(mpr({ batch: 0 }), [`${P}.maxParallelRequests.batch: 0 is not allowed: must be an integer from 1 to maxParallelRequests.production (1024): batch is shed first`]);
        assert.deepEqual(accepted({ ...http, maxParallelRequests: { production: 8, batch: 8 } }).maxParallelRequests, { production: 8, batch: 8 });
        assert.deepEqual(accepted({ ...http, maxParallelRequests: { production: 100000 } }).maxParallelRequests, { production: 100000, batch: 64 });
        assert.deepEqual(accepted({ ...http, maxParallelRequests: { batch: 1 } }).maxParallelRequests, { production: 1024, batch: 1 });
    });

    it("source ranges, public, failure mode and the retired hostname key", () => {
        assert.deepEqual(problems({ ...http, sourceRanges: ["10.0.0.0/8", "10.0.0.0/8 "] }), [`${P}.sourceRanges[1]: "10.0.0.0/8 " is not allowed: must be an IPv4 CIDR`]);
        assert.deepEqual(problems({ ...http, sourceRanges: ["x10.0.0.0/8"] }), [`${P}.sourceRanges[0]: "x10.0.0.0/8" is not allowed: must be an IPv4 CIDR`]);
        assert.deepEqual(accepted({ ...http, sourceRanges: ["10.0.0.0/8"], public: true }).sourceRanges, ["10.0.0.0/8"]);
        assert.equal(accepted({ ...http, public: true }).public, true);
        assert.equal(accepted({ ...http }).public, false);
        assert.deepEqual(problems({ ...http, public: "yes" }), [`${P}.public: "yes" is not allowed: must be true or false`]);
        assert.equal(problems({ ...http, rateLimitFailureMode: "maybe" }).length, 1);
        assert.deepEqual(problems({ ...http, hostname: "ai.example.com" }), [`${P}.hostname: "ai.example.com" is not allowed: replaced by tiers.production.hostname and tiers.batch.hostname: each tier has its own listener (README, Gateway tiers)`]);
    });

    it("TLS: exactly one option, an anchored ACM ARN, a DNS-label secret, plain HTTP in dev only", () => {
        assert.deepEqual(problems({ tls: {} }).slice(0, 1), [`${P}.tls: {} is not allowed: give exactly one of {certificateArn: <ACM ARN>}, {secretName: <TLS Secret>} or, in dev only, {insecureHttp: true}`]);
        assert.deepEqual(problems({ tls: { secretName: "s", insecureHttp: true } }).length, 1);
        assert.deepEqual(problems({ tls: { certificateArn: `x${TEST_CERTIFICATE_ARN}` } }), [`${P}.tls.certificateArn: "x${TEST_CERTIFICATE_ARN}" is not allowed: must be an ACM certificate ARN`]);
        assert.deepEqual(problems({ tls: { certificateArn: `${TEST_CERTIFICATE_ARN}/x` } }).length, 1);
        assert.deepEqual(problems({ tls: { secretName: "My_Cert" } }), [`${P}.tls.secretName: "My_Cert" is not allowed: must be the name of a kubernetes.io/tls Secret`]);
        assert.deepEqual(accepted({ tls: { secretName: "my-cert" } }).tls, { secretName: "my-cert" });
        assert.deepEqual(problems({ tls: { insecureHttp: false } }), [`${P}.tls.insecureHttp: false is not allowed: must be true (or use certificateArn / secretName)`]);
        assert.deepEqual(problems({ tls: { insecureHttp: true } }, { "ai-infra:environment": "staging" }).filter((m) => m.includes("insecureHttp")),
            [`${P}.tls.insecureHttp: true is not allowed: plain HTTP is allowed in dev only, this is staging: use certificateArn or secretName`]);
        assert.deepEqual(problems({}), [`${P}.tls: missing: required, teams are admitted through the gateway, so it needs TLS: one of {certificateArn: <ACM ARN>}, {secretName: <TLS Secret>} or, in dev only, {insecureHttp: true}`]);
        assert.deepEqual(problems({}, { "ai-infra:teams": { search: { costCenter: "C", owner: "s@example.com", monthlyBudgetUsd: 1 } }, "ai-infra:nodeGroups": {} }), [], "no admitted team: no listener, no TLS needed");
    });

    it("tiers: listeners per admitted tier, distinct anchored host names, per-tier TLS only as a Secret", () => {
        assert.deepEqual(listenerTiers([]), []);
        assert.deepEqual(listenerTiers(["batch", "batch"]), ["batch"]);
        assert.deepEqual(listenerTiers(["batch", "production"]), ["production", "batch"]);
        assert.deepEqual(listenerTls({ tls: { secretName: "gw" }, tiers: { batch: { tls: { secretName: "b" } } } }, "batch"), { secretName: "b" });
        assert.deepEqual(listenerTls({ tls: { secretName: "gw" }, tiers: {} }, "production"), { secretName: "gw" });
        const prod = { "ai-infra:teams": { "ml-research": { costCenter: "C", owner: "m@example.com", monthlyBudgetUsd: 1, gateway: { tier: "production", requestsPerMinute: 1, tokensPerMinute: 1 } } } };
        const tiers = (t: Record<string, unknown>, gw: Record<string, unknown> = { tls: { secretName: "gw-cert" } }) => problems({ ...gw, tiers: t }, prod);
        const hosts = { production: { hostname: "ai.example.com" }, batch: { hostname: "batch.ai.example.com" } };
        assert.deepEqual(tiers(hosts), []);
        assert.deepEqual(tiers({ production: { hostname: "ai.example.com" }, batch: { hostname: "ai.example.com" } }), [`${P}.tiers.batch.hostname: "ai.example.com" is not allowed: must differ from tiers.production.hostname: the host name is what selects the tier`]);
        assert.deepEqual(tiers({ ...hosts, batch: { hostname: "batch.ai.example.com." } }), [`${P}.tiers.batch.hostname: "batch.ai.example.com." is not allowed: must be a DNS host name like ai.example.com`]);
        assert.deepEqual(tiers({ ...hosts, batch: { hostname: "Batch.example.com" } }).length, 1);
        assert.deepEqual(tiers({ production: { hostname: "ai.example.com" } }), [`${P}.tiers.batch.hostname: missing: required, both tiers have a listener on the same port, told apart by host name before any filter runs: give each tier its own DNS host name`]);
        assert.deepEqual(tiers({ ...hosts, batch: { hostname: "b.example.com", tls: { secretName: "batch-cert" } } }), []);
        assert.equal(tiers({ ...hosts, batch: { hostname: "b.example.com", tls: { certificateArn: TEST_CERTIFICATE_ARN } } }).length, 1);
        assert.equal(tiers({ ...hosts, batch: { hostname: "b.example.com", tls: { secretName: "batch-cert" } } }, { tls: { certificateArn: TEST_CERTIFICATE_ARN } }).length, 1, "an ACM certificate is gateway-wide");
        assert.deepEqual(tiers({ ...hosts, batch: { hostname: "b.example.com", tls: { secretName: "batch-cert" } } }, {}), [
            `${P}.tiers.production.tls: missing: required, the production listener admits the production teams with their API keys, so it needs TLS: give the gateway's tls (one of {certificateArn: <ACM ARN>}, {secretName: <TLS Secret>} or, in dev only, {insecureHttp: true}) or tiers.production.tls {secretName}`,
        ]);
        const g = accepted({ tls: { secretName: "gw-cert" }, tiers: { ...hosts, batch: { hostname: "b.example.com", tls: { secretName: "batch-cert" } } } }, prod);
        assert.deepEqual(g.tiers, { production: { hostname: "ai.example.com" }, batch: { hostname: "b.example.com", tls: { secretName: "batch-cert" } } });
    });

    it("backends: a list, unique names, provider-specific keys, anchored ARNs, host names and regions", () => {
        const b = (...backends: unknown[]) => problems({ ...http, backends });
        assert.deepEqual(problems({ ...http, backends: { a: 1 } }), [`${P}.backends: {"a":1} is not allowed: must be a list of backends`]);
        assert.deepEqual(b(openai(), openai()), [`${P}.backends[1].name: "openai" is not allowed: duplicates an earlier backend: backend names must be unique`]);
        assert.deepEqual(b(openai({ region: "us-east-1" })), [`${P}.backends[0].region: "us-east-1" is not allowed: not used by openai backends (they take hostname, credentialsSecretArn)`]);
        assert.deepEqual(b(openai({ credentialsSecretArn: `x${ARN_KEY}` })).length, 1);
        assert.deepEqual(b(openai({ hostname: "api.openai.com" })), []);
        assert.deepEqual(b(openai({ hostname: "https://api.openai.com" })), [`${P}.backends[0].hostname: "https://api.openai.com" is not allowed: must be a DNS host name`]);
        assert.deepEqual(b(openai({ models: ["gpt 4"] })), [`${P}.backends[0].models[0]: "gpt 4" is not allowed: must be a model name`]);
        assert.deepEqual(b(openai({ models: ["-gpt"] })).length, 1);
        const bedrock = (region: string) => ({ name: "claude", provider: "aws-bedrock", models: ["anthropic.claude-3-haiku-20240307-v1:0"], region });
        assert.deepEqual(b(bedrock("us-east-1")), []);
        assert.deepEqual(b(bedrock("us-gov-west-1")), []);
        for (const bad of ["us-east-1a", "xus-east-1", "useast1"]) assert.deepEqual(b(bedrock(bad)), [`${P}.backends[0].region: "${bad}" is not allowed: must be an AWS region like us-east-1`], bad);
    });

    it("in-cluster backends: an existing node group and a complete Service", () => {
        const svc = (s: Record<string, unknown> = {}) => ({ name: "llama", provider: "in-cluster", models: ["llama"], nodeGroup: "llm-spot", service: { name: "vllm", namespace: "models", port: 8000, ...s } });
        const b = (...backends: unknown[]) => problems({ ...http, backends });
        assert.deepEqual(b(svc()), []);
        assert.deepEqual(b({ ...svc(), nodeGroup: "gone" }), [`${P}.backends[0].nodeGroup: "gone" is not allowed: must name a node group of ai-infra:nodeGroups (llm-spot)`]);
        assert.deepEqual(b(svc({ port: 0 })), [`${P}.backends[0].service.port: 0 is not allowed: must be an integer from 1 to 65535`]);
        assert.deepEqual(b(svc({ port: 65536 })), [`${P}.backends[0].service.port: 65536 is not allowed: must be an integer from 1 to 65535`]);
        assert.deepEqual(b(svc({ namespace: "Models" })), [`${P}.backends[0].service.namespace: "Models" is not allowed: must be a namespace name`]);
        assert.deepEqual(b(svc({ name: "vLLM" })), [`${P}.backends[0].service.name: "vLLM" is not allowed: must be a Service name`]);
        assert.deepEqual(b({ ...svc(), credentialsSecretArn: ARN_KEY }), [`${P}.backends[0].credentialsSecretArn: "${ARN_KEY}" is not allowed: not used by in-cluster backends (they take nodeGroup, service)`]);
        assert.deepEqual(accepted({ ...http, backends: [svc({ port: 65535 })] }).backends[0].service, { name: "vllm", namespace: "models", port: 65535 });
    });
});

describe("gateway config: production teams need a model backend that is always up", () => {
    const prodTeam = { "ml-research": { costCenter: "C", owner: "m@example.com", monthlyBudgetUsd: 1, gateway: { tier: "production", requestsPerMinute: 1, tokensPerMinute: 1 } } };
    const group = (minSize: number, schedules?: object[]) => ({ "llm-spot": { team: "ml-research", capacity: "spot", instanceTypes: ["g6.xlarge", "g5.xlarge"], minSize, maxSize: 4, ...(schedules ? { schedules } : {}) } });
    const inCluster = { name: "llama", provider: "in-cluster", models: ["llama"], nodeGroup: "llm-spot", service: { name: "vllm", namespace: "models", port: 8000 } };
    const gw = (backends: object[]) => ({ tls: { secretName: "gw-cert" }, tiers: { production: { hostname: "ai.example.com" }, batch: { hostname: "batch.ai.example.com" } }, backends });
    const floor = (backends: object[], minSize: number, schedules?: object[], teams: object = prodTeam) =>
        problems(gw(backends), { "ai-infra:teams": teams, "ai-infra:nodeGroups": group(minSize, schedules) }).filter((m) => m.startsWith(`${P}.backends:`));

    it("refuses a model served only from a group that can be at zero", () => {
        assert.deepEqual(floor([inCluster], 0), [`${P}.backends: ["llama"] is not allowed: model "llama" is served to production teams only by in-cluster backends whose node groups can be at zero (llm-spot): add a provider backend for it, or give one of those node groups minSize >= 1 in its base size and every schedule`]);
    });

    it("accepts a warm floor, a provider fallback for the model, or no production team", () => {
        assert.deepEqual(floor([inCluster], 1), []);
        assert.deepEqual(floor([inCluster, openai({ name: "fallback", models: ["llama"] })], 0), []);
        assert.equal(floor([inCluster, openai({ name: "other", models: ["gpt-4o-mini"] })], 0).length, 1, "a provider for another model is no fallback");
        const batchOnly = { "ml-research": { ...prodTeam["ml-research"], gateway: { tier: "batch", requestsPerMinute: 1, tokensPerMinute: 1 } } };
        assert.deepEqual(problems({ tls: { secretName: "gw-cert" }, backends: [inCluster] }, { "ai-infra:teams": batchOnly, "ai-infra:nodeGroups": group(0) }), []);
    });

    it("a schedule that takes the group to zero removes the floor", () => {
        assert.equal(floor([inCluster], 1, [{ name: "night", cron: "0 22 * * *", minSize: 0, maxSize: 1 }]).length, 1);
        assert.deepEqual(floor([inCluster], 1, [{ name: "day", cron: "0 8 * * *", minSize: 2, maxSize: 4 }]), []);
    });
});
