import { strict as assert } from "assert";
import { ConfigError, parseStackConfig } from "../../components/config";
import { baseConfig } from "../helpers";

/** Every problem message the config produces, or [] when it is accepted. */
function problems(overrides: Record<string, unknown>): string[] {
    try {
        parseStackConfig(baseConfig(overrides));
        return [];
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
        return e.problems.map((p) => p.message);
    }
}

const team = (t: Record<string, unknown>) => ({ "ai-infra:teams": { "ml-research": { costCenter: "CC-1001", owner: "ml@example.com", monthlyBudgetUsd: 5000, ...t } }, "ai-infra:nodeGroups": {} });
const alerts = (a: Record<string, unknown>) => ({ "ai-infra:alerts": a });
const spot = (d: Record<string, unknown>) => ({ "ai-infra:pricing": { spotDiscount: d } });
const cache = (c: Record<string, unknown>, environment = "dev") => ({ "ai-infra:environment": environment, "ai-infra:cache": c });

const WARN = "must be a number above 0 and below 100";
const crit = (w: number) => `must be a number above warningPercent (${w}) and at most 100`;
const FRACTION = "must be a fraction from 0 to below 1 (0.6 = 60 % off on-demand)";
const USD = "must be a number of USD > 0";

/** [what, overrides, expected problems ([] = accepted)]: each boundary at n-1 / n / n+1, each key made invalid. */
const CASES: [string, Record<string, unknown>, string[]][] = [
    ["stack budget 0", { "ai-infra:monthlyBudgetUsd": "0" }, [`ai-infra:monthlyBudgetUsd: 0 is not allowed: ${USD}`]],
    ["stack budget 0.01", { "ai-infra:monthlyBudgetUsd": "0.01" }, []],
    ["stack budget blank", { "ai-infra:monthlyBudgetUsd": " " }, [`ai-infra:monthlyBudgetUsd: " " is not allowed: ${USD}`]],
    ["stack budget words", { "ai-infra:monthlyBudgetUsd": "12k" }, [`ai-infra:monthlyBudgetUsd: "12k" is not allowed: ${USD}`]],
    ["a numeric-looking cost center stays a string", { "ai-infra:costCenter": "1001" }, []],
    ["team model budget -1", team({ modelBudgetUsd: -1 }), ["ai-infra:teams.ml-research.modelBudgetUsd: -1 is not allowed: must be a number of USD from 0 to monthlyBudgetUsd (5000)"]],
    ["team model budget above the team budget", team({ modelBudgetUsd: 5000.01 }), ["ai-infra:teams.ml-research.modelBudgetUsd: 5000.01 is not allowed: must be a number of USD from 0 to monthlyBudgetUsd (5000)"]],
    ["team model budget 0", team({ modelBudgetUsd: 0 }), []],
    ["team model budget equal to the team budget", team({ modelBudgetUsd: 5000 }), []],
    ["cost tags false", { "ai-infra:activateCostAllocationTags": "false" }, []],
    ["cost tags yes", { "ai-infra:activateCostAllocationTags": "yes" }, ['ai-infra:activateCostAllocationTags: "yes" is not allowed: must be true or false']],
    ["unknown top-level key", { "ai-infra:nodegroups": "{}" }, [
        'ai-infra:nodegroups: unknown key: did you mean ai-infra:nodeGroups? allowed keys are ai-infra:environment, ai-infra:owner, ai-infra:costCenter, ai-infra:monthlyBudgetUsd, ' +
        "ai-infra:cluster, ai-infra:teams, ai-infra:nodeGroups, ai-infra:gateway, ai-infra:cache, ai-infra:alerts, ai-infra:pricing, ai-infra:activateCostAllocationTags"]],
    ["other namespaces ignored", { "kubernetes:context": "x" }, []],
    ["unparseable object", { "ai-infra:alerts": "{not json" }, ['ai-infra:alerts: "{not json" is not allowed: must be an object with keys emails, warningPercent, criticalPercent, webhookUrl']],
    ["teams missing", { "ai-infra:teams": undefined, "ai-infra:nodeGroups": {} }, ["ai-infra:teams: missing: required, a map of team id to {costCenter, owner, monthlyBudgetUsd, gateway?}: at least one team"]],
    ["teams empty", { "ai-infra:teams": {}, "ai-infra:nodeGroups": {} }, ["ai-infra:teams: {} is not allowed: must list at least one team"]],
    ["teams null", { "ai-infra:teams": null, "ai-infra:nodeGroups": {} }, ["ai-infra:teams: null is not allowed: must be a map of team name to settings"]],
    ["teams a number", { "ai-infra:teams": "3", "ai-infra:nodeGroups": {} }, ["ai-infra:teams: 3 is not allowed: must be a map of team name to settings"]],
    ["team budget 0", team({ monthlyBudgetUsd: 0 }), [`ai-infra:teams.ml-research.monthlyBudgetUsd: 0 is not allowed: ${USD}`]],
    ["team budget 1", team({ monthlyBudgetUsd: 1 }), []],
    ["team gateway tier", team({ gateway: { tier: "gold", requestsPerMinute: 1, tokensPerMinute: 1 } }), ['ai-infra:teams.ml-research.gateway.tier: "gold" is not allowed: must be one of production, batch']],
    ["team gateway rpm 0", team({ gateway: { tier: "batch", requestsPerMinute: 0, tokensPerMinute: 1 } }), ["ai-infra:teams.ml-research.gateway.requestsPerMinute: 0 is not allowed: must be an integer >= 1"]],
    ["team gateway tpm 0", team({ gateway: { tier: "batch", requestsPerMinute: 1, tokensPerMinute: 0 } }), ["ai-infra:teams.ml-research.gateway.tokensPerMinute: 0 is not allowed: must be an integer >= 1"]],
    ["team gateway limits at 1", team({ gateway: { tier: "batch", requestsPerMinute: 1, tokensPerMinute: 1 } }), []],
    ["budget action role ARN", team({ budgetAction: { deployRole: "arn:aws:iam::123456789012:role/x" } }), ['ai-infra:teams.ml-research.budgetAction.deployRole: "arn:aws:iam::123456789012:role/x" is not allowed: must be an IAM role name (not an ARN)']],
    ["budget action role 65 chars", team({ budgetAction: { deployRole: "r".repeat(65) } }), [`ai-infra:teams.ml-research.budgetAction.deployRole: "${"r".repeat(65)}" is not allowed: must be an IAM role name (not an ARN)`]],
    ["budget action role 64 chars", team({ budgetAction: { deployRole: "r".repeat(64) } }), []],
    ["budget action approval", team({ budgetAction: { deployRole: "deploy", approval: "auto" } }), ['ai-infra:teams.ml-research.budgetAction.approval: "auto" is not allowed: must be one of automatic, manual']],
    ["cache node type", cache({ nodeType: "cache.x9.huge" }), [/* message lists the catalog */]],
    ["cache replicas 6", cache({ replicasPerShard: 6 }), ["ai-infra:cache.replicasPerShard: 6 is not allowed: must be an integer from 0 to 5"]],
    ["cache replicas 5", cache({ replicasPerShard: 5 }), []],
    ["prod cache replicas 0", cache({ replicasPerShard: 0 }, "prod"), ["ai-infra:cache.replicasPerShard: 0 is not allowed: must be an integer from 1 to 5: prod needs a replica for automatic failover"]],
    ["cache shards 0", cache({ shards: 0 }), ["ai-infra:cache.shards: 0 is not allowed: must be an integer from 1 to 500"]],
    ["cache shards 501", cache({ shards: 501 }), ["ai-infra:cache.shards: 501 is not allowed: must be an integer from 1 to 500"]],
    ["cache shards 500", cache({ shards: 500 }), []],
    ["alerts email", alerts({ emails: ["oncall"] }), ['ai-infra:alerts.emails[0]: "oncall" is not allowed: must be an e-mail address']],
    ["alerts no emails", alerts({ emails: [] }), []],
    ["warning 100", alerts({ warningPercent: 100, criticalPercent: 100 }), [`ai-infra:alerts.warningPercent: 100 is not allowed: ${WARN}`]],
    ["warning 99", alerts({ warningPercent: 99, criticalPercent: 100 }), []],
    ["warning 0", alerts({ warningPercent: 0 }), [`ai-infra:alerts.warningPercent: 0 is not allowed: ${WARN}`]],
    ["critical equal to warning", alerts({ warningPercent: 80, criticalPercent: 80 }), [`ai-infra:alerts.criticalPercent: 80 is not allowed: ${crit(80)}`]],
    ["critical just above warning", alerts({ warningPercent: 80, criticalPercent: 80.5 }), []],
    ["critical 100", alerts({ criticalPercent: 100 }), []],
    ["critical 101", alerts({ criticalPercent: 101 }), [`ai-infra:alerts.criticalPercent: 101 is not allowed: ${crit(70)}`]],
    ["webhook http", alerts({ webhookUrl: "http://hooks.example.com/x" }), ['ai-infra:alerts.webhookUrl: "http://hooks.example.com/x" is not allowed: must be an https:// URL (store it with pulumi config set --secret --path)']],
    ["webhook prefixed", alerts({ webhookUrl: "see https://hooks.example.com/x" }), ['ai-infra:alerts.webhookUrl: "see https://hooks.example.com/x" is not allowed: must be an https:// URL (store it with pulumi config set --secret --path)']],
    ["webhook with a space", alerts({ webhookUrl: "https://hooks.example.com/x y" }), ['ai-infra:alerts.webhookUrl: "https://hooks.example.com/x y" is not allowed: must be an https:// URL (store it with pulumi config set --secret --path)']],
    ["webhook https", alerts({ webhookUrl: "https://hooks.example.com/services/T0/B0/x" }), []],
    ["spot discount 1", spot({ g5: 1 }), [`ai-infra:pricing.spotDiscount.g5: 1 is not allowed: ${FRACTION}`]],
    ["spot discount 0.99", spot({ g5: 0.99 }), []],
    ["spot discount 0", spot({ g5: 0 }), []],
    ["spot discount -0.1", spot({ g5: -0.1 }), [`ai-infra:pricing.spotDiscount.g5: -0.1 is not allowed: ${FRACTION}`]],
    ["spot discount unknown family", spot({ zz9: 0.5 }), [/* names the allowed families */]],
];

describe("stack config: each key made invalid, each boundary probed", () => {
    for (const [what, overrides, expected] of CASES) {
        it(what, () => {
            const got = problems(overrides);
            if (expected.length === 0 && (what === "cache node type" || what === "spot discount unknown family")) {
                assert.equal(got.length, 1, got.join("\n"));
                assert.match(got[0], what === "cache node type" ? /^ai-infra:cache\.nodeType: "cache\.x9\.huge" is not allowed: must be one of cache\.t4g\.micro, cache\.t4g\.small, / : /^ai-infra:pricing\.spotDiscount\.zz9: unknown key: allowed keys are .*g5/);
                return;
            }
            assert.deepEqual(got, expected);
        });
    }

    it("keeps what it accepted: alert thresholds, webhook, spot discounts, cost tags and budget action", () => {
        const c = parseStackConfig(baseConfig({
            ...alerts({ warningPercent: 60, criticalPercent: 100, webhookUrl: "https://h.example.com/x", emails: ["a@b.co"] }),
            ...spot({ g5: 0, g6: 0.5 }), "ai-infra:activateCostAllocationTags": "false",
            ...team({ budgetAction: { deployRole: "deploy" }, gateway: { tier: "batch", requestsPerMinute: 5, tokensPerMinute: 6 } }),
            "ai-infra:nodeGroups": {}, "ai-infra:monthlyBudgetUsd": "123.5",
        }));
        assert.deepEqual(c.alerts, { emails: ["a@b.co"], warningPercent: 60, criticalPercent: 100, webhookUrl: "https://h.example.com/x" });
        assert.deepEqual(c.pricing, { spotDiscount: { g5: 0, g6: 0.5 } });
        assert.equal(c.activateCostAllocationTags, false);
        assert.equal(c.monthlyBudgetUsd, 123.5);
        assert.deepEqual(c.teams, [{ id: "ml-research", costCenter: "CC-1001", owner: "ml@example.com", monthlyBudgetUsd: 5000, gateway: { tier: "batch", requestsPerMinute: 5, tokensPerMinute: 6 }, budgetAction: { deployRole: "deploy", approval: "manual" } }]);
        assert.equal(parseStackConfig(baseConfig({ "ai-infra:activateCostAllocationTags": "true" })).activateCostAllocationTags, true);
        assert.equal(parseStackConfig(baseConfig()).activateCostAllocationTags, false, "off unless a stack opts in (one stack per payer account)");
        assert.equal(parseStackConfig(baseConfig()).alerts.webhookUrl, undefined);
    });

    it("keeps a team's model budget when given, and none otherwise", () => {
        assert.equal(parseStackConfig(baseConfig(team({ modelBudgetUsd: 100 }))).teams[0].modelBudgetUsd, 100);
        assert.equal("modelBudgetUsd" in parseStackConfig(baseConfig(team({}))).teams[0], false);
        assert.equal(parseStackConfig(baseConfig({ "ai-infra:costCenter": "1001" })).costCenter, "1001");
    });

    it("counts the problems in the error's message", () => {
        assert.throws(() => parseStackConfig(baseConfig({ "ai-infra:monthlyBudgetUsd": "0" })), (e: Error) => e.message.startsWith("invalid stack config (1 problem):\n  - ai-infra:monthlyBudgetUsd"));
        assert.throws(() => parseStackConfig(baseConfig({ "ai-infra:monthlyBudgetUsd": "0", "ai-infra:costCenter": "" })), (e: Error) => e.message.startsWith("invalid stack config (2 problems):\n  - "));
    });

    it("needs a region for a Bedrock backend: its own or the stack's", () => {
        const bedrock = (region?: string) => ({ "ai-infra:gateway": { tls: { insecureHttp: true }, backends: [{ name: "claude", provider: "aws-bedrock", ...(region ? { region } : {}), models: ["anthropic.claude-3-haiku-20240307-v1:0"] }] } });
        const probs = (o: Record<string, unknown>) => problems(o).filter((m) => m.includes("region"));
        assert.deepEqual(probs({ ...bedrock(), "aws:region": undefined }), ["ai-infra:gateway.backends[0].region: missing: required, set it, or set aws:region for the stack"]);
        assert.deepEqual(probs({ ...bedrock("us-west-2"), "aws:region": undefined }), []);
        assert.deepEqual(probs(bedrock()), []);
    });
});
