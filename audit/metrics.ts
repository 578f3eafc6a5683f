import { GetMetricDataCommandInput, MetricDataQuery, paginateGetMetricData } from "@aws-sdk/client-cloudwatch";
import { AuditClients } from "./clients";
import { aws } from "./errors";
import { Series } from "./stats";

/** CloudWatch accepts at most 500 queries per GetMetricData call (API reference, MetricDataQueries). */
export const METRIC_BATCH = 500;
/**
 * "The maximum search expression query size is 1024 characters" (CloudWatch user guide,
 * search-expression-syntax.md, "Search expression limits"): the quoted first argument of SEARCH(). Past ~25 instance ids one
 * expression exceeds it and the whole GetMetricData call fails, so ids are split over several queries.
 */
export const SEARCH_QUERY_MAX_CHARS = 1024;
/** SEARCH only finds metrics that reported data in the past two weeks (CloudWatch user guide, using-search-expressions). */
export const SEARCH_LOOKBACK_DAYS = 14;
/** A single SEARCH returns at most 500 time series (CloudWatch SearchExpression docs); hitting it means "maybe more". */
export const SEARCH_MAX_SERIES = 500;

export interface MetricResults {
    /** Series per query id; for a SEARCH, one per metric found, named by the query's (dynamic) label. */
    series: Map<string, Series[]>;
    /**
     * Query ids whose data is not known to be whole, with why: a final StatusCode other than `Complete`
     * (`PartialData`, `InternalError`, `Forbidden`; API reference, MetricDataResult.StatusCode) or a message.
     */
    incomplete: Map<string, string>;
}

/**
 * Run metric queries in batches of 500, following every page. The paginator repeats the request with
 * NextToken while a result is `PartialData`, so a result's status is the one on its last page.
 */
export async function metricData(clients: AuditClients, queries: MetricDataQuery[], start: Date, end: Date): Promise<MetricResults> {
    const series = new Map<string, Series[]>();
    const status = new Map<string, string>();
    const notes = new Map<string, string>();
    for (let i = 0; i < queries.length; i += METRIC_BATCH) {
        const input: GetMetricDataCommandInput = { MetricDataQueries: queries.slice(i, i + METRIC_BATCH), StartTime: start, EndTime: end, ScanBy: "TimestampAscending" };
        await aws("cloudwatch", "GetMetricDataCommand", async () => {
            for await (const page of paginateGetMetricData({ client: clients.cloudwatch }, input)) {
                for (const m of page.Messages ?? []) for (const q of input.MetricDataQueries ?? []) if (q.Id) notes.set(q.Id, `${m.Code ?? "message"}: ${m.Value ?? ""}`.trim());
                for (const r of page.MetricDataResults ?? []) {
                    if (!r.Id) continue;
                    const label = r.Label ?? r.Id;
                    status.set(`${r.Id}\u0000${label}`, r.StatusCode ?? "Complete");
                    if (r.StatusCode && r.StatusCode !== "Complete") notes.set(r.Id, `${r.StatusCode}${(r.Messages ?? []).map((m) => ` (${[m.Code, m.Value].filter(Boolean).join(": ")})`).join("")}`);
                    else if (r.StatusCode === "Complete" && notes.get(r.Id)?.startsWith("PartialData")) notes.delete(r.Id);
                    const list = series.get(r.Id) ?? [];
                    let s = list.find((x) => x.id === label);
                    if (!s) {
                        s = { id: label, timestamps: [], values: [] };
                        list.push(s);
                    }
                    (r.Timestamps ?? []).forEach((t, k) => {
                        s!.timestamps.push(new Date(t).getTime());
                        s!.values.push((r.Values ?? [])[k]);
                    });
                    series.set(r.Id, list);
                }
            }
        });
    }
    const incomplete = new Map<string, string>();
    for (const [key, code] of status) {
        const id = key.split("\u0000")[0];
        if (code !== "Complete") incomplete.set(id, notes.get(id) ?? code);
    }
    for (const [id, note] of notes) if (!incomplete.has(id) && !note.startsWith("PartialData")) incomplete.set(id, note);
    return { series, incomplete };
}

/**
 * An exact-match token of a SEARCH query: `" \ ( )` must be backslash-escaped inside it (CloudWatch user
 * guide, search-expression-syntax, "Non-alphanumeric characters").
 */
export const quoted = (v: string) => `"${v.replace(/["\\()]/g, (c) => `\\${c}`)}"`;

/** The SEARCH query (first argument) for a Container Insights node metric of one cluster, optionally of given instances. */
export function nodeSearchQuery(metric: string, cluster: string, instanceIds: readonly string[] = []): string {
    const base = `{ContainerInsights,ClusterName,InstanceId,NodeName} MetricName=${quoted(metric)} ClusterName=${quoted(cluster)}`;
    return instanceIds.length === 0 ? base : `${base} (${instanceIds.map((i) => `InstanceId=${quoted(i)}`).join(" OR ")})`;
}

/** Split instance ids so that each SEARCH query stays within SEARCH_QUERY_MAX_CHARS (in order, none dropped). */
export function batchInstanceIds(metric: string, cluster: string, instanceIds: readonly string[]): string[][] {
    const batches: string[][] = [];
    let current: string[] = [];
    for (const id of instanceIds) {
        const next = [...current, id];
        if (current.length > 0 && nodeSearchQuery(metric, cluster, next).length > SEARCH_QUERY_MAX_CHARS) {
            batches.push(current);
            current = [id];
        } else current = next;
    }
    if (current.length > 0) batches.push(current);
    return batches;
}

/**
 * SEARCH queries for a node metric of the given instances, one per batch, ids `<prefix>_<n>`. Each series
 * is labelled with its own InstanceId dimension (a dynamic label applies to every metric a search returns:
 * CloudWatch user guide, "Use dynamic labels").
 */
export function nodeMetricSearches(prefix: string, metric: string, stat: "Average" | "Maximum", cluster: string, instanceIds: readonly string[], periodSeconds: number): MetricDataQuery[] {
    return batchInstanceIds(metric, cluster, instanceIds).map((ids, n) => ({
        Id: `${prefix}_${n}`,
        Expression: `SEARCH('${nodeSearchQuery(metric, cluster, ids)}', '${stat}', ${periodSeconds})`,
        Label: "${PROP('Dim.InstanceId')}",
        ReturnData: true,
    }));
}

/** All series of the queries whose id starts with `<prefix>_`, and why any of them is incomplete. */
export function byPrefix(r: MetricResults, prefix: string): { series: Series[]; incomplete: string[] } {
    const match = (id: string) => id === prefix || id.startsWith(`${prefix}_`);
    return {
        series: [...r.series].filter(([id]) => match(id)).flatMap(([, s]) => s),
        incomplete: [...r.incomplete].filter(([id]) => match(id)).map(([, why]) => why),
    };
}
