import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { budgetNotifications, denyGpuCapacityPolicy, TeamBudgets, tagFilter } from "../../components/budgets";
import { memberClusterIds, replicationGroupIdFor } from "../../components/cache";
import { ConfigError, parseStackConfig } from "../../components/config";
import { dashboardBody } from "../../components/monitoring/dashboard";
import { Monitoring } from "../../components/monitoring/monitoring";
import { baseConfig, declare, ofType, one } from "../helpers";

const chargeback = { team: "platform", costCenter: "CC-P", environment: "dev", owner: "p@example.com" };
const alerts = { emails: ["oncall@example.com"], warningPercent: 70, criticalPercent: 90 };

describe("monitoring", () => {
    it("derives the cache node ids ElastiCache will use", () => {
        assert.deepEqual(memberClusterIds("rl", 1, 1), ["rl-001", "rl-002"]);
        assert.deepEqual(memberClusterIds("rl", 2, 1), ["rl-0001-001", "rl-0001-002", "rl-0002-001", "rl-0002-002"]);
        assert.equal(replicationGroupIdFor("AI_Prod-Cluster-ratelimit"), "ai-prod-cluster-ratelimit");
        assert.ok(replicationGroupIdFor("x".repeat(60)).length <= 40);
    });

    it("builds a valid three-row dashboard", () => {
        const body = dashboardBody({ region: "us-east-1", environment: "dev", clusterName: "ai-dev", cacheNodes: ["rl-001"], gatewayNamespace: "envoy-gateway-system", teams: [{ id: "search", monthlyBudgetUsd: 4000 }], environmentBudgetUsd: 8000, warningPercent: 70, criticalPercent: 90 });
        const parsed = JSON.parse(JSON.stringify(body)) as { widgets: { type: string; x: number; y: number; width: number; height: number; properties: Record<string, any> }[] };
        const headers = parsed.widgets.filter((w) => w.type === "text" && String(w.properties.markdown).startsWith("## ")).map((w) => String(w.properties.markdown).split("\n")[0]);
        assert.deepEqual(headers.map((h) => h.split(" ")[1]), ["Infrastructure", "Application", "Business"]);
        for (const w of parsed.widgets) assert.ok(w.x + w.width <= 24 && w.height > 0, JSON.stringify(w).slice(0, 80));
        const billing = parsed.widgets.find((w) => w.properties.title?.startsWith("Estimated charges"))!;
        assert.equal(billing.properties.region, "us-east-1");
        assert.deepEqual(billing.properties.metrics, [["AWS/Billing", "EstimatedCharges", "Currency", "USD"]]);
        assert.equal(billing.properties.annotations.horizontal[0].value, 8000);
        assert.ok(parsed.widgets.some((w) => String(w.properties.markdown ?? "").includes("| search | 4,000 |")));
    });

    it("wires alarms to their topics, encrypts the topics and pages the webhook only from the composite", async () => {
        const resources = await declare(() => new Monitoring("mon", {
            environment: "dev", region: "us-east-1", clusterName: "ai-dev", clusterNameText: "ai-dev", cacheNodes: ["rl-001"], gatewayNamespace: "envoy-gateway-system",
            alerts: { ...alerts, webhookUrl: "https://hooks.example.com/page" }, teams: [], environmentBudgetUsd: 1000, chargeback, namePrefix: "ai-dev",
        }));
        const topicArn = (severity: string) => `arn:aws:sns:us-east-1:123456789012:sns/ai-dev-${severity}`;
        for (const alarm of ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm")) {
            const severity = String(alarm.inputs.name).endsWith("-warning") ? "warning" : "critical";
            assert.deepEqual(alarm.inputs.alarmActions, [topicArn(severity)], String(alarm.inputs.name));
        }
        for (const t of ofType(resources, "aws:sns/topic:Topic")) assert.equal(t.inputs.kmsMasterKeyId, "arn:aws:kms:us-east-1:123456789012:kms/mon-alerts-mock");
        const composite = one(resources, "aws:cloudwatch/compositeAlarm:CompositeAlarm", "mon-page").inputs;
        assert.deepEqual(composite.alarmActions, [topicArn("critical")]);
        const hook = ofType(resources, "aws:sns/topicSubscription:TopicSubscription").find((s) => s.inputs.protocol === "https")!;
        assert.ok(hook.secretPaths.includes("endpoint"), "the webhook URL is a secret");
        assert.deepEqual(JSON.parse(String(hook.inputs.filterPolicy)), { AlarmName: ["ai-dev-page"] });
        assert.equal(hook.inputs.filterPolicyScope, "MessageBody");
        assert.equal(ofType(resources, "aws:sns/topicSubscription:TopicSubscription").filter((s) => s.inputs.protocol === "email").length, 2);
        const addon = one(resources, "aws:eks/addon:Addon").inputs;
        assert.equal(addon.addonName, "amazon-cloudwatch-observability");
        assert.deepEqual((addon.podIdentityAssociations as { serviceAccount: string }[])[0].serviceAccount, "cloudwatch-agent");
    });
});

describe("budgets", () => {
    const teams = [
        { id: "search", costCenter: "CC-2", owner: "search@example.com", monthlyBudgetUsd: 4000 },
        { id: "ml-research", costCenter: "CC-1", owner: "ml@example.com", monthlyBudgetUsd: 3000, budgetAction: { deployRole: "ml-deployer", approval: "manual" as const } },
    ];
    const budgetsOf = (activateCostAllocationTags = true) => declare(() => new TeamBudgets("b", {
        environment: "dev", teams, environmentBudgetUsd: 9000, alerts, platformOwner: "p@example.com",
        warningTopicArn: "arn:warning", criticalTopicArn: "arn:critical", chargeback, activateCostAllocationTags, namePrefix: "ai-dev",
    }));

    it("creates one monthly cost budget per team on its tag, plus the environment's", async () => {
        const resources = await budgetsOf();
        const budgets = ofType(resources, "aws:budgets/budget:Budget").map((b) => b.inputs as Record<string, any>);
        assert.deepEqual(budgets.map((b) => [b.name, b.limitAmount, b.costFilters[0].values[0]]).sort(), [
            ["ai-dev", "9000.00", "user:environment$dev"],
            ["ai-dev-ml-research", "3000.00", "user:team$ml-research"],
            ["ai-dev-search", "4000.00", "user:team$search"],
        ]);
        for (const b of budgets) {
            assert.deepEqual([b.budgetType, b.timeUnit, b.limitUnit, b.costFilters[0].name], ["COST", "MONTHLY", "USD", "TagKeyValue"]);
            assert.deepEqual(b.notifications.map((n: Record<string, any>) => [n.notificationType, n.threshold, n.thresholdType, n.subscriberSnsTopicArns[0]]), [
                ["ACTUAL", 70, "PERCENTAGE", "arn:warning"], ["ACTUAL", 90, "PERCENTAGE", "arn:critical"], ["ACTUAL", 100, "PERCENTAGE", "arn:critical"], ["FORECASTED", 100, "PERCENTAGE", "arn:warning"],
            ]);
        }
        const search = budgets.find((b) => b.name === "ai-dev-search")!;
        assert.deepEqual(search.notifications[0].subscriberEmailAddresses, ["search@example.com"]);
        assert.equal(tagFilter("team", "a"), "user:team$a");
    });

    it("adds a hard limit only for teams that ask, denying GPU capacity to their deploy role", async () => {
        const resources = await budgetsOf();
        const actions = ofType(resources, "aws:budgets/budgetAction:BudgetAction");
        assert.equal(actions.length, 1);
        const a = actions[0].inputs as Record<string, any>;
        assert.deepEqual([a.actionType, a.approvalModel, a.notificationType, a.actionThreshold.actionThresholdValue], ["APPLY_IAM_POLICY", "MANUAL", "ACTUAL", 100]);
        assert.deepEqual(a.definition.iamActionDefinition.roles, ["ml-deployer"]);
        const policy = denyGpuCapacityPolicy("ml-research") as { Statement: { Action: string | string[]; Condition: Record<string, Record<string, unknown>> }[] };
        assert.deepEqual(policy.Statement[0].Condition.StringLike["ec2:InstanceType"], ["g4dn.*", "g5.*", "g5g.*", "g6.*", "g6e.*", "p4d.*", "p5.*"]);
        assert.ok((policy.Statement[1].Action as string[]).includes("eks:UpdateNodegroupConfig"));
        assert.ok(ofType(resources, "aws:iam/role:Role").some((r) => String(r.inputs.assumeRolePolicy).includes("budgets.amazonaws.com")));
    });

    it("activates the chargeback keys and watches team spend for anomalies", async () => {
        const resources = await budgetsOf();
        assert.deepEqual(ofType(resources, "aws:costexplorer/costAllocationTag:CostAllocationTag").map((t) => t.inputs.tagKey).sort(), ["cost-center", "environment", "owner", "team"]);
        const monitor = one(resources, "aws:costexplorer/anomalyMonitor:AnomalyMonitor").inputs;
        assert.deepEqual(JSON.parse(String(monitor.monitorSpecification)).Tags, { Key: "team", Values: ["search", "ml-research"], MatchOptions: ["EQUALS"] });
        assert.deepEqual((one(resources, "aws:costexplorer/anomalySubscription:AnomalySubscription").inputs.subscribers as object[]), [{ type: "SNS", address: "arn:warning" }]);
    });

    it("leaves the account-wide tag activation as a second step: off unless a stack turns it on", async () => {
        // AWS refuses to activate a key not yet seen in billing data: a first deploy must not try.
        const resources = await declare(() => new TeamBudgets("b", {
            environment: "dev", teams, environmentBudgetUsd: 9000, alerts, platformOwner: "p@example.com",
            warningTopicArn: "arn:warning", criticalTopicArn: "arn:critical", chargeback,
        }));
        assert.equal(ofType(resources, "aws:costexplorer/costAllocationTag:CostAllocationTag").length, 0);
        assert.equal(parseStackConfig(baseConfig()).activateCostAllocationTags, false, "a fresh stack does not activate");
        assert.equal(parseStackConfig(baseConfig({ "ai-infra:activateCostAllocationTags": "true" })).activateCostAllocationTags, true);
        for (const stack of ["dev", "staging", "prod"]) {
            assert.doesNotMatch(fs.readFileSync(path.join(__dirname, "..", "..", "stacks", `Pulumi.${stack}.yaml`), "utf8"), /activateCostAllocationTags:\s*true/, `${stack} activates on its first deploy`);
        }
        assert.throws(() => parseStackConfig(baseConfig({ "ai-infra:activateCostAllocationTags": "yes" })), /ai-infra:activateCostAllocationTags: "yes" is not allowed: must be true or false/);
    });

    it("notifies at 100 % once when critical is 100", () => {
        assert.deepEqual(budgetNotifications({ warningPercent: 80, criticalPercent: 100 }).map((n) => `${n.notificationType}:${n.threshold}`), ["ACTUAL:80", "ACTUAL:100", "FORECASTED:100"]);
    });

    it("rejects bad thresholds and budget actions", () => {
        const problems = (over: Record<string, unknown>) => {
            try { parseStackConfig(baseConfig(over)); } catch (e) { return (e as ConfigError).problems.map((p) => p.message); }
            return [];
        };
        assert.deepEqual(problems({ "ai-infra:alerts": { warningPercent: 0 } }), ["ai-infra:alerts.warningPercent: 0 is not allowed: must be a number above 0 and below 100"]);
        assert.deepEqual(problems({ "ai-infra:alerts": { warningPercent: 70, criticalPercent: 101 } }), ["ai-infra:alerts.criticalPercent: 101 is not allowed: must be a number above warningPercent (70) and at most 100"]);
        assert.deepEqual(problems({ "ai-infra:alerts": { webhookUrl: "http://x" } }), ['ai-infra:alerts.webhookUrl: "http://x" is not allowed: must be an https:// URL (store it with pulumi config set --secret --path)']);
        assert.deepEqual(problems({ "ai-infra:teams": { a: { costCenter: "C", owner: "a@b.co", monthlyBudgetUsd: 1, budgetAction: { deployRole: "arn:aws:iam::1:role/x", approval: "sometimes" } } }, "ai-infra:nodeGroups": {} }), [
            'ai-infra:teams.a.budgetAction.deployRole: "arn:aws:iam::1:role/x" is not allowed: must be an IAM role name (not an ARN)',
            'ai-infra:teams.a.budgetAction.approval: "sometimes" is not allowed: must be one of automatic, manual',
        ]);
    });
});
