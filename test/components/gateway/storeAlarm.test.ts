import { strict as assert } from "assert";
import { applicationLogGroupName, RATE_LIMIT_CONTAINER, storeAlarmDescription, storeErrorFilterPattern, STORE_ERROR_LOG_LINES } from "../../../components/gateway";
import { Platform } from "../../../components/platform";
import { RecordedResource } from "../../../plan/mockRuntime";
import { declare, one } from "../../helpers";
import { GATEWAY, gatewayStack } from "./fixtures";

describe("rate-limit store alarm", () => {
    it("matches only the rate-limit container's store errors, in Envoy Gateway's namespace", () => {
        const pattern = storeErrorFilterPattern("envoy-gateway-system");
        assert.ok(pattern.startsWith("{ ") && pattern.endsWith(" }"), "a JSON filter pattern");
        assert.match(pattern, /\(\$\.kubernetes\.namespace_name = "envoy-gateway-system"\) && \(\$\.kubernetes\.container_name = "envoy-ratelimit"\) && \(/);
        for (const line of STORE_ERROR_LOG_LINES) assert.ok(pattern.includes(`($.log = "*${line}*")`), line);
        assert.equal(RATE_LIMIT_CONTAINER, "envoy-ratelimit");
        assert.equal(applicationLogGroupName("ai-prod"), "/aws/containerinsights/ai-prod/application");
    });

    it("says what the failure mode in force means for the on-call person", () => {
        assert.match(storeAlarmDescription("open"), /Quotas are NOT enforced/);
        assert.match(storeAlarmDescription("closed"), /answered 500/);
    });

    describe("under mocks", () => {
        let resources: RecordedResource[];
        before(async () => {
            const config = gatewayStack({ "ai-infra:gateway": { ...GATEWAY, rateLimitFailureMode: "closed" } });
            resources = await declare(() => new Platform("ai", { config }));
        });
        const logGroup = () => one(resources, "aws:cloudwatch/logGroup:LogGroup", "ai-application-logs");

        it("owns the add-on's application log group, created before the add-on that writes to it", () => {
            assert.equal(logGroup().inputs.name, "/aws/containerinsights/ai-test/application");
            assert.equal(logGroup().inputs.retentionInDays, 7);
            const addon = resources.find((r) => r.type === "aws:eks/addon:Addon" && r.inputs.addonName === "amazon-cloudwatch-observability")!;
            assert.ok(addon.dependencies.includes(logGroup().urn), "the add-on waits for the log group");
        });

        it("counts store errors from that group and alarms on the critical topic when they persist", () => {
            const filter = one(resources, "aws:cloudwatch/logMetricFilter:LogMetricFilter", "ai-ratelimit-store");
            assert.ok(filter.dependencies.includes(logGroup().urn));
            assert.equal(filter.inputs.pattern, storeErrorFilterPattern("envoy-gateway-system"));
            const metric = filter.inputs.metricTransformation as Record<string, string>;
            const alarm = one(resources, "aws:cloudwatch/metricAlarm:MetricAlarm", "ai-ratelimit-store").inputs;
            assert.deepEqual([alarm.namespace, alarm.metricName], [metric.namespace, metric.name]);
            assert.deepEqual([alarm.statistic, alarm.period, alarm.threshold, alarm.datapointsToAlarm, alarm.evaluationPeriods], ["Sum", 60, 1, 2, 3]);
            const critical = resources.find((r) => r.type === "aws:sns/topic:Topic" && String(r.inputs.name).endsWith("-critical"))!;
            assert.deepEqual(alarm.alarmActions, [`arn:aws:sns:us-east-1:123456789012:sns/${critical.inputs.name}`]);
            assert.match(String(alarm.alarmDescription), /answered 500/, "describes the configured mode (closed)");
        });
    });
});
