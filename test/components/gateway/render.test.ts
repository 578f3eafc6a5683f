import { strict as assert } from "assert";
import { Secret } from "kubernetes-models/v1";
import {
    API_KEY_HEADER, ENVOY_SERVICE_ACCOUNT, K8sObject, MODEL_HEADER, planGateway, planObjects, QUOTA_TOKEN_KEY, renderKeysSecret, renderNamespace,
    renderProviderKeySecret, TEAM_HEADER,
} from "../../../components/gateway";
import { envoyGatewayValues } from "../../../components/gateway/install";
import { chargebackLabels } from "../../../components/tags";
import { CRD_DIR, crdErrors, crdReleaseDir, crdSource, PINNED_CRD_RELEASES } from "../../crdSchemas";
import * as path from "path";
import { parseStackConfig } from "../../../components/config";
import { readStackFile } from "../../../plan/stackFile";
import { gatewayStack } from "./fixtures";

const TIERS = { production: { hostname: "ai.example.com" }, batch: { hostname: "batch.ai.example.com" } };
const labels = chargebackLabels({ team: "platform", costCenter: "CC-P", environment: "dev", owner: "p@example.com" });
const meta = { namespace: "ai-gateway", labels };

function plan(overrides: Record<string, unknown> = {}) {
    const config = gatewayStack(overrides);
    return planGateway({ config: config.gateway, teams: config.teams, nodeGroups: config.nodeGroups, region: "us-east-1", meta });
}

type Spec = Record<string, any>;
const spec = (o: K8sObject) => o.spec as Spec;

describe("gateway renderers", () => {
    it("limits every admitted team to exactly its configured requests and tokens per minute", () => {
        const rules = spec(plan().rateLimitPolicy!).rateLimit.global.rules as Spec[];
        const byTeam = (team: string) => rules.filter((r) => r.clientSelectors[0].headers[0].value === team);
        for (const [team, rpm, tpm] of [["search", 600, 200000], ["ml-research", 300, 100000]] as const) {
            const [requests, tokens] = byTeam(team);
            assert.deepEqual(requests, { clientSelectors: [{ headers: [{ name: TEAM_HEADER, type: "Exact", value: team }] }], limit: { requests: rpm, unit: "Minute" }, shared: true });
            assert.deepEqual(tokens.limit, { requests: tpm, unit: "Minute" });
            assert.deepEqual(tokens.cost, { request: { from: "Number", number: 0 }, response: { from: "Metadata", metadata: { namespace: "io.envoy.ai_gateway", key: QUOTA_TOKEN_KEY } } });
            assert.equal(tokens.shared, true);
        }
        assert.equal(byTeam("finance").length, 0, "a team without gateway settings gets no quota (and no key)");
        assert.equal(rules.length, 4);
        assert.deepEqual(spec(plan().rateLimitPolicy!).targetRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "ai-gateway" }]);
    });

    it("gives the tiers different routes, fallback orders and concurrency", () => {
        const p = plan();
        const [production, batch] = p.tiers;
        assert.equal(production.tier, "production");
        assert.deepEqual(production.teams, ["search"]);
        assert.deepEqual(batch.teams, ["search", "ml-research"]);
        const llama = (t: typeof production) => (spec(t.routes[0]).rules as Spec[]).find((r) => r.matches[0].headers[0].value === "llama")!;
        // research-spot can be at zero: production tries it after the provider.
        assert.deepEqual(llama(production).backendRefs, [{ name: "llama-ondemand", priority: 0 }, { name: "bedrock", priority: 1 }, { name: "llama-spot", priority: 2 }]);
        assert.deepEqual(llama(batch).backendRefs, [{ name: "llama-spot", priority: 0 }, { name: "bedrock", priority: 1 }, { name: "llama-ondemand", priority: 2 }]);
        for (const t of [production, batch]) {
            assert.deepEqual(llama(t).matches, [{ headers: [{ type: "Exact", name: MODEL_HEADER, value: "llama" }] }], "only the model selects a rule: the listener chose the tier");
            assert.deepEqual(spec(t.routes[0]).parentRefs, [{ name: "ai-gateway", kind: "Gateway", group: "gateway.networking.k8s.io", sectionName: t.tier }]);
            assert.equal(spec(t.routes[0]).hostnames, undefined, "a route answers for its listener's host only");
        }
        const cb = (t: typeof production) => spec(t.trafficPolicy).circuitBreaker;
        assert.equal(cb(production).maxParallelRequests, 1024);
        assert.equal(cb(batch).maxParallelRequests, 64);
        assert.ok(cb(batch).maxPendingRequests < cb(production).maxPendingRequests);
        assert.equal(spec(batch.trafficPolicy).mergeType, "StrategicMerge");
    });

    it("rejects unknown clients: each tier's listener is behind API-key auth with only its tier's teams", () => {
        const p = plan();
        for (const t of p.tiers) {
            const sp = spec(t.securityPolicy);
            assert.deepEqual(sp.targetRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "ai-gateway", sectionName: t.tier }]);
            assert.deepEqual(sp.apiKeyAuth.extractFrom, [{ headers: [API_KEY_HEADER] }]);
            assert.equal(sp.apiKeyAuth.forwardClientIDHeader, TEAM_HEADER);
            assert.equal(sp.apiKeyAuth.sanitize, true);
            assert.equal(sp.apiKeyAuth.credentialRefs[0].name, `team-api-keys-${t.tier}`);
        }
        const prodKeys = renderKeysSecret("production", meta, { search: "k1" });
        assert.deepEqual(Object.keys(prodKeys.stringData as object), ["search"]);
    });

    it("splits a tier's models over routes of at most 15 rules", () => {
        const models = Array.from({ length: 20 }, (_, i) => `m${i}`);
        const p = plan({ "ai-infra:gateway": { tls: { insecureHttp: true }, tiers: TIERS, backends: [{ name: "bedrock", provider: "aws-bedrock", models }] } });
        assert.deepEqual(p.tiers[1].routes.map((r) => (spec(r).rules as unknown[]).length), [15, 5]);
        assert.deepEqual(spec(p.tiers[1].trafficPolicy).targetRefs.map((r: Spec) => r.name), ["ai-batch-0", "ai-batch-1"]);
    });

    it("authenticates upstreams without credentials in any object: API key Secret, or SigV4 by pod identity", () => {
        const objects = plan().backends.flatMap((b) => b.objects);
        const bsp = (name: string) => objects.find((o) => o.kind === "BackendSecurityPolicy" && o.metadata.name === name);
        assert.deepEqual(spec(bsp("openai")!).apiKey, { secretRef: { name: "openai-provider-key" } });
        assert.deepEqual(spec(bsp("bedrock")!).awsCredentials, { region: "us-east-1" });
        assert.equal(bsp("llama-spot"), undefined);
        const backend = objects.find((o) => o.kind === "Backend" && o.metadata.name === "openai")!;
        assert.deepEqual(spec(backend).endpoints, [{ fqdn: { hostname: "api.openai.com", port: 443 } }]);
        assert.equal(spec(backend).tls.wellKnownCACertificates, "System");
        assert.equal(spec(plan().envoyProxy).provider.kubernetes.envoyServiceAccount.name, ENVOY_SERVICE_ACCOUNT);
    });

    it("renders no secret value and labels every object for chargeback", () => {
        const text = JSON.stringify(planObjects(plan()));
        assert.ok(!/apiKey":\s*"[^{]/.test(text) && !text.includes("password"), "no credential literal");
        for (const o of planObjects(plan())) assert.deepEqual(o.metadata.labels && o.metadata.labels["ai-infra/team"], "platform", `${o.kind} ${o.metadata.name}`);
    });

    it("puts Envoy on system nodes with HPA, PDB, zone spread, resources and an internal NLB", () => {
        const k = spec(plan().envoyProxy).provider.kubernetes;
        assert.deepEqual(k.envoyHpa.minReplicas, 2);
        assert.deepEqual(k.envoyHpa.maxReplicas, 10);
        assert.deepEqual(k.envoyPDB, { minAvailable: 1 });
        assert.deepEqual(k.envoyDeployment.pod.nodeSelector, { "ai-infra/node-role": "system" });
        assert.equal(k.envoyDeployment.pod.topologySpreadConstraints[0].topologyKey, "topology.kubernetes.io/zone");
        assert.ok(k.envoyDeployment.container.resources.requests.cpu);
        assert.equal(k.envoyDeployment.replicas, undefined, "the HPA owns the replica count");
        assert.equal(k.envoyService.annotations["service.beta.kubernetes.io/aws-load-balancer-internal"], "true");
        assert.equal(k.envoyService.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"], "arn:aws:acm:us-east-1:123456789012:certificate/0b0b0b0b-1111-2222-3333-444444444444");
    });

    it("listens once per tier, told apart by host name, with TLS as configured: ACM at the NLB, a Secret at Envoy, plain HTTP only when asked", () => {
        const tiers = { production: { hostname: "ai.example.com" }, batch: { hostname: "batch.ai.example.com" } };
        const listeners = (tls: object, t: object = tiers) => spec(plan({ "ai-infra:gateway": { tls, tiers: t } }).gateway).listeners as Spec[];
        const acm = listeners({ certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0b0b0b0b-1111-2222-3333-444444444444" });
        assert.deepEqual(acm.map((l) => [l.name, l.hostname, l.protocol, l.port]), [["production", "ai.example.com", "HTTP", 443], ["batch", "batch.ai.example.com", "HTTP", 443]]);
        assert.deepEqual(listeners({ secretName: "ai-tls" })[1].tls, { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: "ai-tls" }] });
        const own = listeners({ secretName: "ai-tls" }, { ...tiers, production: { hostname: "ai.example.com", tls: { secretName: "prod-tls" } } });
        assert.deepEqual(own.map((l) => l.tls.certificateRefs[0].name), ["prod-tls", "ai-tls"]);
        assert.deepEqual(listeners({ insecureHttp: true }).map((l) => [l.protocol, l.port]), [["HTTP", 80], ["HTTP", 80]]);
        const batchOnly = gatewayStack({ "ai-infra:teams": {
            "ml-research": { costCenter: "CC-1", owner: "ml@example.com", monthlyBudgetUsd: 3000, gateway: { tier: "batch", requestsPerMinute: 1, tokensPerMinute: 1 } },
            search: { costCenter: "CC-2", owner: "search@example.com", monthlyBudgetUsd: 4000 },
        } });
        const single = planGateway({ config: batchOnly.gateway, teams: batchOnly.teams, nodeGroups: batchOnly.nodeGroups, region: "us-east-1", meta });
        assert.deepEqual((spec(single.gateway).listeners as Spec[]).map((l) => l.name), ["batch"], "no production listener without a production team");
    });

    it("configures global rate limiting on the cache with TLS and the token from a secretKeyRef only", () => {
        const values = envoyGatewayValues({ url: "master.rl.cache.amazonaws.com:6379", secretName: "ai-ratelimit-valkey", clusterMode: false, failureMode: "open" }) as Spec;
        const eg = values.config.envoyGateway;
        assert.deepEqual(eg.rateLimit, { backend: { type: "Redis", redis: { url: "master.rl.cache.amazonaws.com:6379" } }, failClosed: false });
        const env = eg.provider.kubernetes.rateLimitDeployment.container.env as Spec[];
        assert.deepEqual(env.find((e) => e.name === "REDIS_TLS"), { name: "REDIS_TLS", value: "true" });
        assert.deepEqual(env.find((e) => e.name === "REDIS_AUTH"), { name: "REDIS_AUTH", valueFrom: { secretKeyRef: { name: "ai-ratelimit-valkey", key: "password" } } });
        assert.equal(env.find((e) => e.name === "REDIS_TYPE"), undefined);
        assert.equal(eg.extensionManager.service.fqdn.hostname, "ai-gateway-controller.envoy-ai-gateway-system.svc.cluster.local");
        const cluster = envoyGatewayValues({ url: "u:6379", secretName: "s", clusterMode: true, failureMode: "closed" }) as Spec;
        assert.equal(cluster.config.envoyGateway.rateLimit.failClosed, true, "closed answers 500 while the store is unreachable");
        assert.ok((cluster.config.envoyGateway.provider.kubernetes.rateLimitDeployment.container.env as Spec[]).some((e) => e.name === "REDIS_TYPE" && e.value === "cluster"));
    });

    it("builds valid core objects with kubernetes-models", () => {
        for (const obj of [renderNamespace("ai-gateway", labels), renderKeysSecret("batch", meta, { a: "x", b: "y" }), renderProviderKeySecret("openai", meta, "sk-x")]) {
            assert.ok(obj.apiVersion === "v1");
        }
        assert.throws(() => new Secret({ metadata: { name: "x" }, stringData: { k: 1 as unknown as string } }).validate());
    });

    describe("against the upstream CRD schemas", function () {
        before(function () { if (!CRD_DIR) this.skip(); });

        it("validates every custom resource, in every tier and TLS mode", () => {
            const variants = [
                plan(),
                plan({ "ai-infra:gateway": { tls: { secretName: "ai-tls" }, tiers: TIERS, public: true, sourceRanges: ["10.0.0.0/8"], backends: [{ name: "bedrock", provider: "aws-bedrock", models: ["a", "b"] }] } }),
                plan({ "ai-infra:gateway": { tls: { insecureHttp: true }, tiers: TIERS } }),
            ];
            let count = 0;
            for (const p of variants) {
                for (const obj of planObjects(p)) {
                    assert.deepEqual(crdErrors(obj), [], `${obj.kind} ${obj.metadata.name}`);
                    count++;
                }
            }
            assert.ok(count > 20);
        });

        it("validates every custom resource of the bundled dev, staging and prod stacks", () => {
            for (const stack of ["dev", "staging", "prod"]) {
                const { config: raw } = readStackFile(path.join(__dirname, "..", "..", "..", "stacks", `Pulumi.${stack}.yaml`), "ai-infra");
                const config = parseStackConfig(raw);
                const p = planGateway({ config: config.gateway, teams: config.teams, nodeGroups: config.nodeGroups, region: "us-east-1", meta });
                for (const obj of planObjects(p)) assert.deepEqual(crdErrors(obj), [], `${stack}: ${obj.kind} ${obj.metadata.name}`);
                assert.deepEqual((spec(p.gateway).listeners as Spec[]).map((l) => l.name), ["production", "batch"], stack);
            }
        });

        it("validates against the pinned releases' folders only", () => {
            assert.deepEqual(PINNED_CRD_RELEASES, ["envoy-gateway-v1.8.3", "envoy-ai-gateway-v1.1.0"]);
            for (const [apiVersion, kind, release] of [
                ["gateway.envoyproxy.io/v1alpha1", "SecurityPolicy", "envoy-gateway-v1.8.3"],
                ["gateway.networking.k8s.io/v1", "Gateway", "envoy-gateway-v1.8.3"],
                ["aigateway.envoyproxy.io/v1beta1", "AIGatewayRoute", "envoy-ai-gateway-v1.1.0"],
            ]) assert.ok(crdSource(apiVersion, kind)!.includes(`/${release}/`), `${kind} from ${crdSource(apiVersion, kind)}`);
            assert.equal(crdReleaseDir("envoy-gateway-v0.0.1"), undefined, "an unknown release is absent, not another folder");
        });

        it("emits the AI Gateway's served storage version v1beta1", () => {
            for (const obj of planObjects(plan()).filter((o) => o.apiVersion.startsWith("aigateway."))) assert.equal(obj.apiVersion, "aigateway.envoyproxy.io/v1beta1");
        });

        it("catches a malformed object (the validator is not a rubber stamp)", () => {
            const broken = { ...plan().rateLimitPolicy!, spec: { rateLimit: { type: "Global", global: { rules: [{ limit: { requests: "many", unit: "Fortnight" } }] } } } };
            assert.ok(crdErrors(broken).length >= 2);
        });
    });
});
