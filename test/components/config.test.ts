import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ConfigError, parseStackConfig } from "../../components/config";
import { readStackFile } from "../../plan/stackFile";
import { baseConfig } from "../helpers";

function problems(overrides: Record<string, unknown>): string[] {
    try {
        parseStackConfig(baseConfig(overrides));
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
        return e.problems.map((p) => p.message);
    }
    assert.fail("expected the config to be rejected");
}

const group = (g: Record<string, unknown>) => ({ "ai-infra:nodeGroups": { "llm-spot": { team: "ml-research", capacity: "spot", instanceTypes: ["g6.xlarge", "g5.xlarge"], minSize: 0, maxSize: 4, desiredSize: 0, ...g } } });

describe("stack config", () => {
    it("accepts a valid config and fills the defaults", () => {
        const c = parseStackConfig(baseConfig());
        assert.equal(c.environment, "dev");
        assert.equal(c.region, "us-east-1");
        assert.equal(c.monthlyBudgetUsd, 10000);
        assert.deepEqual(c.nodeGroups[0], { name: "llm-spot", team: "ml-research", capacity: "spot", instanceTypes: ["g6.xlarge", "g5.xlarge"], minSize: 0, maxSize: 4, desiredSize: 0, diskSizeGiB: 200, schedules: [] });
        assert.equal(c.cluster.availabilityZones, 2);
        assert.deepEqual(c.cluster.publicAccessCidrs, ["0.0.0.0/0"]);
        assert.deepEqual(c.alerts, { emails: [], warningPercent: 70, criticalPercent: 90 });
        assert.deepEqual(c.cache, { nodeType: "cache.t4g.small", replicasPerShard: 0, shards: 1 });
        assert.equal(c.teams.find((t) => t.id === "search")?.gateway, undefined);
    });

    it("defaults prod to three zones, a private endpoint and a cache replica", () => {
        const c = parseStackConfig(baseConfig({ "ai-infra:environment": "prod" }));
        assert.equal(c.cluster.availabilityZones, 3);
        assert.deepEqual(c.cluster.publicAccessCidrs, []);
        assert.equal(c.cache.replicasPerShard, 1);
    });

    it("rejects an unknown environment, naming key, value and what is allowed", () => {
        assert.deepEqual(problems({ "ai-infra:environment": "production" }),
            ['ai-infra:environment: "production" is not allowed: must be one of dev, staging, prod']);
    });

    it("rejects negative and non-integer sizes", () => {
        assert.deepEqual(problems(group({ maxSize: -1 })), [
            "ai-infra:nodeGroups.llm-spot.maxSize: -1 is not allowed: must be an integer >= minSize (0) and >= 1, at most 1000",
        ]);
        assert.match(problems(group({ minSize: 1.5 }))[0], /^ai-infra:nodeGroups\.llm-spot\.minSize: 1\.5 is not allowed: must be an integer from 0 to 1000$/);
    });

    it("rejects min > max and desired outside [min, max]", () => {
        assert.ok(problems(group({ minSize: 3, maxSize: 2, desiredSize: 2 })).some((m) => m.startsWith("ai-infra:nodeGroups.llm-spot.maxSize: 2 is not allowed: must be an integer >= minSize (3)")));
        assert.deepEqual(problems(group({ desiredSize: 5 })), ["ai-infra:nodeGroups.llm-spot.desiredSize: 5 is not allowed: must be an integer from minSize (0) to maxSize (4)"]);
    });

    it("rejects a node group of an unknown team and an unknown capacity", () => {
        assert.deepEqual(problems(group({ team: "ghosts", capacity: "reserved" })), [
            'ai-infra:nodeGroups.llm-spot.team: "ghosts" is not allowed: must name a team of ai-infra:teams (ml-research, search)',
            'ai-infra:nodeGroups.llm-spot.capacity: "reserved" is not allowed: must be one of on-demand, spot',
        ]);
    });

    it("rejects instance types outside the catalog, empty lists, duplicates and mixed shapes", () => {
        assert.match(problems(group({ instanceTypes: ["g9.huge"] }))[0], /^ai-infra:nodeGroups\.llm-spot\.instanceTypes\[0\]: "g9\.huge" is not allowed: must be one of g4dn\.xlarge, /);
        assert.deepEqual(problems(group({ instanceTypes: [] })), ["ai-infra:nodeGroups.llm-spot.instanceTypes: [] is not allowed: must be a non-empty list"]);
        assert.deepEqual(problems(group({ instanceTypes: ["g5.xlarge", "g5.xlarge"] })), ['ai-infra:nodeGroups.llm-spot.instanceTypes[1]: "g5.xlarge" is not allowed: duplicates an earlier entry: list each value once']);
        const mixed = problems(group({ instanceTypes: ["g5.xlarge", "g5.12xlarge"] }));
        assert.equal(mixed.length, 1);
        assert.match(mixed[0], /same GPU count, vCPU, memory and architecture \(g5\.xlarge: 1 GPU, 4 vCPU, 16 GiB, x86_64; g5\.12xlarge: 4 GPU, 48 vCPU, 192 GiB, x86_64\)/);
        assert.match(problems(group({ instanceTypes: ["m7g.large"] }))[0], /must be a GPU instance type; general-purpose types belong in cluster.systemNodes/);
    });

    it("rejects malformed e-mails and budgets <= 0", () => {
        const teams = { "ai-infra:teams": { a: { costCenter: "CC-1", owner: "not-an-email", monthlyBudgetUsd: 0 } }, "ai-infra:nodeGroups": {} };
        assert.deepEqual(problems({ ...teams, "ai-infra:monthlyBudgetUsd": "-5", "ai-infra:alerts": { emails: ["oncall@"] } }), [
            "ai-infra:monthlyBudgetUsd: -5 is not allowed: must be a number of USD > 0",
            'ai-infra:teams.a.owner: "not-an-email" is not allowed: must be an e-mail address',
            "ai-infra:teams.a.monthlyBudgetUsd: 0 is not allowed: must be a number of USD > 0",
            'ai-infra:alerts.emails[0]: "oncall@" is not allowed: must be an e-mail address',
        ]);
    });

    it("rejects unknown keys at every level, so typos cannot pass", () => {
        assert.deepEqual(problems({ "ai-infra:monthlyBudget": "5", ...group({ maxsize: 3 }), "ai-infra:cluster": { name: "x", verison: "1.33" } }), [
            'ai-infra:monthlyBudget: unknown key: did you mean ai-infra:monthlyBudgetUsd? allowed keys are ai-infra:environment, ai-infra:owner, ai-infra:costCenter, ai-infra:monthlyBudgetUsd, ai-infra:cluster, ai-infra:teams, ai-infra:nodeGroups, ai-infra:gateway, ai-infra:cache, ai-infra:alerts, ai-infra:pricing, ai-infra:activateCostAllocationTags',
            'ai-infra:cluster.verison: unknown key: did you mean version? allowed keys are name, version, create, vpcId, subnetIds, vpcCidr, availabilityZones, publicAccessCidrs, apiAccessSecurityGroupIds, adminRoleArns, systemNodes, devicePlugin, clusterAutoscaler',
            "ai-infra:nodeGroups.llm-spot.maxsize: unknown key: did you mean maxSize? allowed keys are team, capacity, instanceTypes, minSize, maxSize, desiredSize, diskSizeGiB, schedules, predictiveScaling",
        ]);
    });

    it("rejects names that are not DNS labels and the reserved platform team", () => {
        const msgs = problems({ "ai-infra:teams": { Platform_Team: { costCenter: "C", owner: "a@b.co", monthlyBudgetUsd: 1 }, platform: { costCenter: "C", owner: "a@b.co", monthlyBudgetUsd: 1 } }, "ai-infra:nodeGroups": {} });
        assert.deepEqual(msgs, [
            'ai-infra:teams.Platform_Team: "Platform_Team" is not allowed: team names must be lower-case DNS labels (a-z, 0-9, \'-\'), at most 63 characters',
            'ai-infra:teams.platform: "platform" is not allowed: "platform" is reserved for the shared resources the platform owns; pick another team id',
        ]);
    });

    it("lists every problem at once", () => {
        const msgs = problems({ "ai-infra:environment": "qa", "ai-infra:owner": "nobody", ...group({ capacity: "cheap", maxSize: -2 }), "ai-infra:alerts": { warningPercent: 95, criticalPercent: 90 } });
        assert.equal(msgs.length, 5, msgs.join("\n"));
        assert.ok(msgs.includes("ai-infra:alerts.criticalPercent: 90 is not allowed: must be a number above warningPercent (95) and at most 100"));
    });

    it("rejects a missing required key and an unreadable structured value", () => {
        assert.deepEqual(problems({ "ai-infra:costCenter": undefined }), ["ai-infra:costCenter: missing: required, must be a non-empty string"]);
        assert.deepEqual(problems({ "ai-infra:cluster": "ai-test" }), ['ai-infra:cluster: "ai-test" is not allowed: must be an object with keys name, version, create, vpcId, subnetIds, vpcCidr, availabilityZones, publicAccessCidrs, apiAccessSecurityGroupIds, adminRoleArns, systemNodes, devicePlugin, clusterAutoscaler']);
    });

    it("guards cluster settings: version, VPC pairs, prod endpoint", () => {
        assert.match(problems({ "ai-infra:cluster": { name: "a", version: 1.3 } })[0], /^ai-infra:cluster\.version: 1\.3 is not allowed: must be a quoted Kubernetes minor version/);
        assert.deepEqual(problems({ "ai-infra:cluster": { name: "a", version: "1.29" } }), ['ai-infra:cluster.version: "1.29" is not allowed: must be at least 1.32 (the Envoy AI Gateway\'s minimum)']);
        assert.deepEqual(problems({ "ai-infra:cluster": { name: "a", vpcId: "vpc-0abc" } }), ["ai-infra:cluster.subnetIds: missing: required, with cluster.vpcId, list the private subnets (at least two zones) the cluster and nodes use"]);
        assert.deepEqual(problems({ "ai-infra:environment": "prod", "ai-infra:cluster": { name: "a", publicAccessCidrs: ["0.0.0.0/0"] } }),
            ['ai-infra:cluster.publicAccessCidrs: ["0.0.0.0/0"] is not allowed: prod keeps the API endpoint private-first: list your CI and VPN ranges, never 0.0.0.0/0']);
        assert.match(problems({ "ai-infra:cluster": { name: "a", create: false, systemNodes: {} } })[0], /^ai-infra:cluster\.create: false is not allowed: an existing cluster is used as it is/);
    });

    it("guards cache, gateway and pricing settings", () => {
        assert.match(problems({ "ai-infra:cache": { nodeType: "cache.x1.huge" } })[0], /^ai-infra:cache\.nodeType: "cache\.x1\.huge" is not allowed: must be one of cache\.t4g\.micro/);
        assert.deepEqual(problems({ "ai-infra:environment": "prod", "ai-infra:cache": { replicasPerShard: 0 } }), ["ai-infra:cache.replicasPerShard: 0 is not allowed: must be an integer from 1 to 5: prod needs a replica for automatic failover"]);
        assert.deepEqual(problems({ "ai-infra:cache": { replicasPerShard: -1 } }), ["ai-infra:cache.replicasPerShard: -1 is not allowed: must be an integer from 0 to 5"]);
        assert.deepEqual(problems({ "ai-infra:gateway": { tls: { insecureHttp: true }, replicas: { min: 3, max: 2 } } }), ["ai-infra:gateway.replicas.max: 2 is not allowed: must be an integer >= replicas.min (3) and <= 1000"]);
        assert.deepEqual(problems({ "ai-infra:gateway": { tls: { insecureHttp: true }, backends: [{ name: "oai", provider: "openai", models: ["gpt-4o"] }] } }),
            ["ai-infra:gateway.backends[0].credentialsSecretArn: missing: required, must be a Secrets Manager secret ARN holding the API key (credentials never go in plain config)"]);
        assert.deepEqual(problems({ "ai-infra:pricing": { spotDiscount: { g5: 1.2 } } }), ["ai-infra:pricing.spotDiscount.g5: 1.2 is not allowed: must be a fraction from 0 to below 1 (0.6 = 60 % off on-demand)"]);
    });

    it("guards the gateway's TLS and backends", () => {
        assert.deepEqual(problems({ "ai-infra:gateway": {} }), ["ai-infra:gateway.tls: missing: required, teams are admitted through the gateway, so it needs TLS: one of {certificateArn: <ACM ARN>}, {secretName: <TLS Secret>} or, in dev only, {insecureHttp: true}"]);
        assert.deepEqual(problems({ "ai-infra:environment": "staging", "ai-infra:gateway": { tls: { insecureHttp: true } } }),
            ["ai-infra:gateway.tls.insecureHttp: true is not allowed: plain HTTP is allowed in dev only, this is staging: use certificateArn or secretName"]);
        assert.match(problems({ "ai-infra:gateway": { tls: { secretName: "a", insecureHttp: true } } })[0], /^ai-infra:gateway\.tls: .* is not allowed: give exactly one of/);
        const backends = (b: object) => problems({ "ai-infra:gateway": { tls: { insecureHttp: true }, backends: [b] } });
        assert.deepEqual(backends({ name: "v", provider: "in-cluster", models: ["m"], nodeGroup: "ghost", service: { name: "s", namespace: "n", port: 80 } }),
            ['ai-infra:gateway.backends[0].nodeGroup: "ghost" is not allowed: must name a node group of ai-infra:nodeGroups (llm-spot)']);
        assert.deepEqual(backends({ name: "b", provider: "aws-bedrock", models: ["m"], hostname: "x.example.com" }),
            ['ai-infra:gateway.backends[0].hostname: "x.example.com" is not allowed: not used by aws-bedrock backends (they take region)']);
        assert.deepEqual(problems({ "aws:region": undefined, "ai-infra:gateway": { tls: { insecureHttp: true }, backends: [{ name: "b", provider: "aws-bedrock", models: ["m"] }] } }),
            ["ai-infra:gateway.backends[0].region: missing: required, set it, or set aws:region for the stack"]);
        assert.deepEqual(problems({ "ai-infra:gateway": { tls: { insecureHttp: true }, maxParallelRequests: { production: 10, batch: 20 } } }),
            ["ai-infra:gateway.maxParallelRequests.batch: 20 is not allowed: must be an integer from 1 to maxParallelRequests.production (10): batch is shed first"]);
    });

    it("accepts every bundled stack", () => {
        const dir = path.join(__dirname, "..", "..", "stacks");
        for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
            const { config } = readStackFile(path.join(dir, file), "ai-infra");
            const c = parseStackConfig(config);
            assert.ok(c.teams.some((t) => t.gateway?.tier === "production") && c.teams.some((t) => t.gateway?.tier === "batch"), `${file}: needs a production and a batch team`);
            if (c.environment === "prod") {
                assert.ok(c.nodeGroups.some((g) => g.capacity === "on-demand"), "prod has an on-demand baseline");
                assert.ok(c.nodeGroups.some((g) => g.capacity === "spot"), "prod has spot for batch");
            } else {
                for (const g of c.nodeGroups) {
                    assert.equal(g.capacity, "spot", `${file}: ${g.name} on spot`);
                    assert.equal(g.minSize, 0, `${file}: ${g.name} scales to zero`);
                    assert.ok(g.instanceTypes.length >= 2, `${file}: ${g.name} diversified`);
                }
            }
        }
    });
});
