import { strict as assert } from "assert";
import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { mockClient } from "aws-sdk-client-mock";
import { createClients } from "../../audit/clients";
import { metricData, METRIC_BATCH, nodeMetricSearches, quoted } from "../../audit/metrics";

const T = [new Date("2026-11-19T00:00:00Z"), new Date("2026-11-19T01:00:00Z")];
const START = new Date("2026-11-18T00:00:00Z"), END = new Date("2026-11-20T00:00:00Z");

describe("audit metrics: pages, status and batching", () => {
    it("a result that is PartialData on one page and Complete on the next is whole, and its pages are joined", async () => {
        const c = createClients("us-east-1");
        const cw = mockClient(c.cloudwatch);
        cw.on(GetMetricDataCommand)
            .resolvesOnce({ MetricDataResults: [{ Id: "ua_0", Label: "i-1", StatusCode: "PartialData", Timestamps: [T[0]], Values: [10] }], NextToken: "p2" })
            .resolvesOnce({ MetricDataResults: [{ Id: "ua_0", Label: "i-1", StatusCode: "Complete", Timestamps: [T[1]], Values: [20] }] });
        const r = await metricData(c, nodeMetricSearches("ua", "node_gpu_utilization", "Average", "ai-dev", ["i-1"], 3600), START, END);
        assert.deepEqual(r.series.get("ua_0"), [{ id: "i-1", timestamps: T.map((t) => t.getTime()), values: [10, 20] }]);
        assert.equal(r.incomplete.size, 0);
        assert.equal((cw.commandCalls(GetMetricDataCommand)[1].args[0].input as { NextToken?: string }).NextToken, "p2");
    });

    it("a last page still PartialData, an InternalError, or an operation message leaves the query incomplete", async () => {
        const c = createClients("us-east-1");
        const cw = mockClient(c.cloudwatch);
        cw.on(GetMetricDataCommand).resolvesOnce({
            MetricDataResults: [
                { Id: "a", Label: "a", StatusCode: "PartialData", Timestamps: [], Values: [] },
                { Id: "b", Label: "b", StatusCode: "InternalError", Messages: [{ Code: "InternalError", Value: "retry" }], Timestamps: [], Values: [] },
                { Id: "c", Label: "c", StatusCode: "Complete", Timestamps: [T[0]], Values: [1] },
            ],
        }).resolvesOnce({ MetricDataResults: [{ Id: "d", Label: "d", StatusCode: "Complete", Timestamps: [T[0]], Values: [1] }], Messages: [{ Code: "MaxMetricsExceeded", Value: "Maximum number of allowed metrics exceeded" }] });
        const q = (id: string) => ({ Id: id, MetricStat: { Metric: { Namespace: "N", MetricName: "M" }, Period: 3600, Stat: "Sum" } });
        const first = await metricData(c, ["a", "b", "c"].map(q), START, END);
        assert.deepEqual([...first.incomplete], [["a", "PartialData"], ["b", "InternalError (InternalError: retry)"]]);
        const second = await metricData(c, [q("d")], START, END);
        assert.deepEqual([...second.incomplete], [["d", "MaxMetricsExceeded: Maximum number of allowed metrics exceeded"]]);
    });

    it("sends at most 500 queries per call", async () => {
        const c = createClients("us-east-1");
        const cw = mockClient(c.cloudwatch);
        cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
        const queries = Array.from({ length: 1001 }, (_, i) => ({ Id: `q${i}`, MetricStat: { Metric: { Namespace: "N", MetricName: "M" }, Period: 3600, Stat: "Sum" } }));
        await metricData(c, queries, START, END);
        assert.deepEqual(cw.commandCalls(GetMetricDataCommand).map((x) => (x.args[0].input as { MetricDataQueries: unknown[] }).MetricDataQueries.length), [METRIC_BATCH, METRIC_BATCH, 1]);
    });

    it("escapes exact-match tokens and labels each series by its InstanceId", () => {
        assert.equal(quoted('a"b(c)\\d'), '"a\\"b\\(c\\)\\\\d"');
        const [q] = nodeMetricSearches("mm", "node_gpu_memory_utilization", "Maximum", "ai-dev", ["i-1", "i-2"], 3600);
        assert.deepEqual(q, {
            Id: "mm_0",
            Expression: `SEARCH('{ContainerInsights,ClusterName,InstanceId,NodeName} MetricName="node_gpu_memory_utilization" ClusterName="ai-dev" (InstanceId="i-1" OR InstanceId="i-2")', 'Maximum', 3600)`,
            Label: "${PROP('Dim.InstanceId')}",
            ReturnData: true,
        });
    });
});
