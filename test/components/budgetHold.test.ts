import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    AutoScalingClient, AutoScalingGroup, CreateOrUpdateTagsCommand, DeleteTagsCommand, DescribeAutoScalingGroupsCommand,
    ResumeProcessesCommand, SuspendProcessesCommand, UpdateAutoScalingGroupCommand,
} from "@aws-sdk/client-auto-scaling";
import { BudgetsClient, DescribeBudgetActionsForBudgetCommand, ExecuteBudgetActionCommand } from "@aws-sdk/client-budgets";
import { DescribeNodegroupCommand, EKSClient, ListNodegroupsCommand } from "@aws-sdk/client-eks";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { changedSomething, requests, run, TeamEntry } from "../../components/budgetHold/handler";
import { budgetAction, inForce, lifted } from "../../components/budgetHold/budgetAction";
import { holdPolicy } from "../../components/budgetHold/budgetHold";
import { hold, HOLD_TAG, HoldRecord, release } from "../../components/budgetHold/hold";
import { HOLD_SOURCES } from "../../components/budgetHold/budgetHold";
import { lambdaFiles } from "../../components/lambdaCode";
import { TeamBudgets } from "../../components/budgets";
import { Monitoring } from "../../components/monitoring/monitoring";
import { main, projectDir } from "../../ops/budget";
import { declare, ofType, one } from "../helpers";

const eks = mockClient(EKSClient);
const asg = mockClient(AutoScalingClient);
const sns = mockClient(SNSClient);
const budgets = mockClient(BudgetsClient);
const clients = () => ({ eks: new EKSClient({}), autoscaling: new AutoScalingClient({}), budgets: new BudgetsClient({}), accountId: async () => "123456789012", sleep: async () => undefined });
/** The team's budget action in the given status (ACTION_ID), as DescribeBudgetActionsForBudget returns it. */
const ACTION_ID = "0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3";
const actionIs = (status: string, budgetName = "ai-prod-ml-research") =>
    budgets.on(DescribeBudgetActionsForBudgetCommand, { BudgetName: budgetName }).resolves({ Actions: [{ ActionId: ACTION_ID, Status: status, BudgetName: budgetName } as never] });
const executions = () => budgets.commandCalls(ExecuteBudgetActionCommand).map((c) => [c.args[0].input.BudgetName, c.args[0].input.ExecutionType]);
const NOW = new Date("2026-11-26T03:00:00Z");

/** A cluster with two ml-research groups (one busy, one at zero) and a search group that must never be touched. */
function cluster(groups: Record<string, AutoScalingGroup>) {
    eks.on(ListNodegroupsCommand).resolves({ nodegroups: ["research-spot", "research-big", "search-ondemand"] });
    const team: Record<string, string> = { "research-spot": "ml-research", "research-big": "ml-research", "search-ondemand": "search" };
    for (const ng of Object.keys(team)) {
        eks.on(DescribeNodegroupCommand, { nodegroupName: ng }).resolves({ nodegroup: { nodegroupName: ng, tags: { team: team[ng] }, resources: { autoScalingGroups: [{ name: `eks-${ng}-asg` }] } } });
    }
    asg.on(DescribeAutoScalingGroupsCommand).callsFake((input: { AutoScalingGroupNames: string[] }) => ({
        AutoScalingGroups: input.AutoScalingGroupNames.filter((n) => groups[n]).map((n) => ({ ...groups[n], AutoScalingGroupName: n })),
    }));
}

const busy = (): AutoScalingGroup => ({ MinSize: 1, MaxSize: 8, DesiredCapacity: 3, SuspendedProcesses: [], Tags: [] } as unknown as AutoScalingGroup);
const idle = (): AutoScalingGroup => ({ MinSize: 0, MaxSize: 4, DesiredCapacity: 0, SuspendedProcesses: [], Tags: [] } as unknown as AutoScalingGroup);
const calls = <T extends object>(cmd: new (input: any) => { input: T }) => asg.commandCalls(cmd as never).map((c) => c.args[0].input as T);

describe("budget hold", () => {
    beforeEach(() => { eks.reset(); asg.reset(); sns.reset(); });

    it("records the prior sizes, suspends launches and schedules, caps max at the running count, and leaves other teams alone", async () => {
        cluster({ "eks-research-spot-asg": busy(), "eks-research-big-asg": idle(), "eks-search-ondemand-asg": busy() });
        const report = await hold("ai-prod", "ml-research", clients(), NOW);
        assert.equal(report.failed, false);
        assert.deepEqual(report.groups.map((g) => [g.nodeGroup, g.status]), [["research-spot", "held"], ["research-big", "held"]]);
        const tags = calls(CreateOrUpdateTagsCommand).map((c: any) => c.Tags[0]);
        assert.deepEqual(tags.map((t: any) => [t.ResourceId, t.Key, JSON.parse(t.Value), t.PropagateAtLaunch]), [
            ["eks-research-spot-asg", HOLD_TAG, { at: NOW.toISOString(), minSize: 1, maxSize: 8, suspended: ["Launch", "ScheduledActions"] }, false],
            ["eks-research-big-asg", HOLD_TAG, { at: NOW.toISOString(), minSize: 0, maxSize: 4, suspended: ["Launch", "ScheduledActions"] }, false],
        ]);
        assert.deepEqual(calls(SuspendProcessesCommand).map((c: any) => [c.AutoScalingGroupName, c.ScalingProcesses]), [
            ["eks-research-spot-asg", ["Launch", "ScheduledActions"]], ["eks-research-big-asg", ["Launch", "ScheduledActions"]],
        ]);
        // Running nodes keep working (max = running, never below); a group at zero is capped at zero.
        assert.deepEqual(calls(UpdateAutoScalingGroupCommand).map((c: any) => [c.AutoScalingGroupName, c.MinSize, c.MaxSize, c.DesiredCapacity]), [
            ["eks-research-spot-asg", 0, 3, undefined], ["eks-research-big-asg", 0, 0, undefined],
        ]);
        const touched = asg.calls().map((c) => (c.args[0].input as any).AutoScalingGroupName ?? (c.args[0].input as any).Tags?.[0]?.ResourceId).filter(Boolean);
        assert.ok(!touched.includes("eks-search-ondemand-asg"), "another team's group is never changed");
    });

    it("is idempotent: a second hold changes nothing and keeps the original record", async () => {
        const record: HoldRecord = { at: "2026-11-25T00:00:00.000Z", minSize: 1, maxSize: 8, suspended: ["Launch", "ScheduledActions"] };
        const held = { MinSize: 0, MaxSize: 3, DesiredCapacity: 3, SuspendedProcesses: [{ ProcessName: "Launch" }, { ProcessName: "ScheduledActions" }], Tags: [{ Key: HOLD_TAG, Value: JSON.stringify(record) }] } as unknown as AutoScalingGroup;
        cluster({ "eks-research-spot-asg": held, "eks-research-big-asg": { ...held, MaxSize: 0, DesiredCapacity: 0 } });
        const report = await hold("ai-prod", "ml-research", clients(), NOW);
        assert.deepEqual(report.groups.map((g) => g.status), ["already-held", "already-held"]);
        for (const cmd of [CreateOrUpdateTagsCommand, SuspendProcessesCommand, UpdateAutoScalingGroupCommand]) assert.equal(calls(cmd as never).length, 0, cmd.name);
    });

    it("completes a hold that was interrupted after the record was written, without overwriting the record", async () => {
        const record: HoldRecord = { at: "2026-11-25T00:00:00.000Z", minSize: 2, maxSize: 6, suspended: ["Launch", "ScheduledActions"] };
        const half = { MinSize: 2, MaxSize: 6, DesiredCapacity: 2, SuspendedProcesses: [], Tags: [{ Key: HOLD_TAG, Value: JSON.stringify(record) }] } as unknown as AutoScalingGroup;
        cluster({ "eks-research-spot-asg": half, "eks-research-big-asg": idle() });
        await hold("ai-prod", "ml-research", clients(), NOW);
        assert.deepEqual(calls(CreateOrUpdateTagsCommand).map((c: any) => c.Tags[0].ResourceId), ["eks-research-big-asg"]);
        assert.deepEqual(calls(SuspendProcessesCommand).map((c: any) => c.AutoScalingGroupName), ["eks-research-spot-asg", "eks-research-big-asg"]);
        assert.deepEqual(calls(UpdateAutoScalingGroupCommand)[0], { AutoScalingGroupName: "eks-research-spot-asg", MinSize: 0, MaxSize: 2 });
    });

    it("leaves processes someone else suspended out of the record, so release does not resume them", async () => {
        cluster({ "eks-research-spot-asg": { ...busy(), SuspendedProcesses: [{ ProcessName: "ScheduledActions" }] } as AutoScalingGroup, "eks-research-big-asg": idle() });
        const report = await hold("ai-prod", "ml-research", clients(), NOW);
        const first = report.groups[0] as { record: HoldRecord };
        assert.deepEqual(first.record.suspended, ["Launch"]);
        assert.deepEqual((calls(SuspendProcessesCommand)[0] as any).ScalingProcesses, ["Launch"]);
    });

    it("holds the other groups when one fails, and reports the run as failed", async () => {
        cluster({ "eks-research-spot-asg": busy(), "eks-research-big-asg": idle() });
        asg.on(SuspendProcessesCommand, { AutoScalingGroupName: "eks-research-spot-asg" }).rejects(Object.assign(new Error("denied"), { name: "AccessDenied" }));
        const report = await hold("ai-prod", "ml-research", clients(), NOW);
        assert.equal(report.failed, true);
        assert.deepEqual(report.groups.map((g) => g.status), ["failed", "held"]);
        assert.match((report.groups[0] as { error: string }).error, /AccessDenied: denied/);
        assert.ok(calls(UpdateAutoScalingGroupCommand).some((c: any) => c.AutoScalingGroupName === "eks-research-big-asg"));
        assert.equal(calls(SuspendProcessesCommand).filter((c: any) => c.AutoScalingGroupName === "eks-research-spot-asg").length, 1, "access denied is not retried");
    });

    it("retries throttled calls with backoff and gives up on other errors at once", async () => {
        cluster({ "eks-research-spot-asg": busy(), "eks-research-big-asg": idle() });
        const throttle = Object.assign(new Error("Rate exceeded"), { name: "Throttling" });
        asg.on(UpdateAutoScalingGroupCommand).rejectsOnce(throttle).rejectsOnce(throttle).resolves({});
        const waits: number[] = [];
        const report = await hold("ai-prod", "ml-research", { ...clients(), sleep: async (ms: number) => { waits.push(ms); } }, NOW);
        assert.equal(report.failed, false);
        assert.equal(calls(UpdateAutoScalingGroupCommand).length, 4, "2 throttled + 2 successful");
        assert.deepEqual(waits, [400, 800]);
    });

    it("release restores exactly the recorded sizes and processes, and removes the record last", async () => {
        const record: HoldRecord = { at: "2026-11-25T00:00:00.000Z", minSize: 1, maxSize: 8, suspended: ["Launch"] };
        const held = { MinSize: 0, MaxSize: 3, DesiredCapacity: 3, SuspendedProcesses: [{ ProcessName: "Launch" }, { ProcessName: "ScheduledActions" }], Tags: [{ Key: HOLD_TAG, Value: JSON.stringify(record) }] } as unknown as AutoScalingGroup;
        cluster({ "eks-research-spot-asg": held, "eks-research-big-asg": idle() });
        const report = await release("ai-prod", "ml-research", clients());
        assert.deepEqual(report.groups.map((g) => g.status), ["released", "not-held"]);
        assert.deepEqual(calls(UpdateAutoScalingGroupCommand), [{ AutoScalingGroupName: "eks-research-spot-asg", MinSize: 1, MaxSize: 8 }]);
        assert.deepEqual(calls(ResumeProcessesCommand), [{ AutoScalingGroupName: "eks-research-spot-asg", ScalingProcesses: ["Launch"] }]);
        assert.deepEqual((calls(DeleteTagsCommand)[0] as any).Tags[0].Key, HOLD_TAG);
        const order = asg.calls().map((c) => c.args[0].constructor.name).filter((n) => n !== "DescribeAutoScalingGroupsCommand");
        assert.deepEqual(order, ["UpdateAutoScalingGroupCommand", "ResumeProcessesCommand", "DeleteTagsCommand"]);
    });

    it("a failed release keeps the record so it can be re-run", async () => {
        const record: HoldRecord = { at: "2026-11-25T00:00:00.000Z", minSize: 1, maxSize: 8, suspended: ["Launch"] };
        cluster({ "eks-research-spot-asg": { MinSize: 0, MaxSize: 3, DesiredCapacity: 3, Tags: [{ Key: HOLD_TAG, Value: JSON.stringify(record) }] } as unknown as AutoScalingGroup, "eks-research-big-asg": idle() });
        asg.on(ResumeProcessesCommand).rejects(new Error("boom"));
        const report = await release("ai-prod", "ml-research", clients());
        assert.equal(report.failed, true);
        assert.equal(calls(DeleteTagsCommand).length, 0);
    });
});

describe("budget hold Lambda handler", () => {
    beforeEach(() => { eks.reset(); asg.reset(); sns.reset(); budgets.reset(); });
    const RESEARCH_TOPIC = "arn:aws:sns:us-east-1:1:ai-prod-ml-research-budget-hold";
    const SEARCH_TOPIC = "arn:aws:sns:us-east-1:1:ai-prod-search-budget-hold";
    const teams: Record<string, TeamEntry> = {
        "ml-research": { topicArn: RESEARCH_TOPIC, budgetName: "ai-prod-ml-research", approval: "manual" },
        search: { topicArn: SEARCH_TOPIC, budgetName: "ai-prod-search", approval: "automatic" },
    };
    const env = { CLUSTER_NAME: "ai-prod", ACCOUNT_ID: "123456789012", TEAMS: JSON.stringify(teams), REPORT_TOPIC_ARN: "arn:critical" };
    const notify = (topic: string) => ({ Records: [{ Sns: { TopicArn: topic, Message: "AWS Budgets: action notification" } }] });
    const held = (reports: { team: string; groups: { status: string }[] }[]) => reports.map((r) => [r.team, r.groups.map((g) => g.status)]);

    it("holds an automatic team on its notification, whether or not its action has run yet, and reports to the alert topic", async () => {
        cluster({ "eks-search-ondemand-asg": busy() });
        // The 100 % notification can arrive before Budgets has run the action.
        actionIs("STANDBY", "ai-prod-search");
        const reports = await run(notify(SEARCH_TOPIC), env, clients(), new SNSClient({}));
        assert.deepEqual(held(reports), [["search", ["held"]]]);
        const published = sns.commandCalls(PublishCommand)[0].args[0].input;
        assert.equal(published.TopicArn, "arn:critical");
        assert.match(String(published.Message), /search-ondemand \(eks-search-ondemand-asg\): held — recorded/);
        // Budgets unreadable: the notification still holds (it is the 100 % signal), and the run fails loudly.
        budgets.reset();
        budgets.on(DescribeBudgetActionsForBudgetCommand).rejects(new Error("ThrottlingException"));
        asg.resetHistory();
        await assert.rejects(run(notify(SEARCH_TOPIC), env, clients()), /reading the budget action of search: ThrottlingException/);
        assert.equal(calls(SuspendProcessesCommand).length, 1);
    });

    it("does not hold an automatic team again once a person lifted the limit (a late retry or the action's own notice)", async () => {
        cluster({ "eks-search-ondemand-asg": busy() });
        for (const status of ["REVERSE_SUCCESS", "REVERSE_IN_PROGRESS", "REVERSE_FAILURE", "RESET_IN_PROGRESS"]) {
            budgets.reset();
            actionIs(status, "ai-prod-search");
            assert.deepEqual(await run(notify(SEARCH_TOPIC), env, clients()), [], status);
        }
        assert.equal(calls(SuspendProcessesCommand).length, 0);
    });

    it("refuses a direct release while the team's action is in force (the schedule would hold it again)", async () => {
        cluster({ "eks-research-spot-asg": busy(), "eks-research-big-asg": idle() });
        actionIs("EXECUTION_SUCCESS");
        await assert.rejects(run({ action: "release", team: "ml-research" }, env, clients()), /release of ml-research refused: budget action .* is EXECUTION_SUCCESS \(in force\); reverse it first/);
        assert.equal(calls(UpdateAutoScalingGroupCommand).length, 0);
        budgets.reset();
        actionIs("REVERSE_SUCCESS");
        assert.deepEqual((await run({ action: "release", team: "ml-research" }, env, clients())).map((r) => r.action), ["release"]);
    });

    it("does not hold a manual team while its action awaits approval, and holds it once the action has run", async () => {
        cluster({ "eks-research-spot-asg": busy(), "eks-research-big-asg": idle() });
        actionIs("PENDING");
        assert.deepEqual(await run(notify(RESEARCH_TOPIC), env, clients(), new SNSClient({})), []);
        assert.equal(asg.commandCalls(SuspendProcessesCommand).length, 0, "pending approval: nothing held");
        assert.equal(sns.commandCalls(PublishCommand).length, 0);
        const read = budgets.commandCalls(DescribeBudgetActionsForBudgetCommand)[0].args[0].input;
        assert.deepEqual([read.AccountId, read.BudgetName], ["123456789012", "ai-prod-ml-research"]);
        for (const status of ["EXECUTION_IN_PROGRESS", "EXECUTION_SUCCESS", "EXECUTION_FAILURE"]) {
            budgets.reset();
            actionIs(status);
            assert.deepEqual(held(await run(notify(RESEARCH_TOPIC), env, clients())), [["ml-research", ["held", "held"]]], status);
        }
        assert.equal(executions().length, 0, "the Lambda never approves or reverses an action");
    });

    it("reconciles on its schedule: holds every team whose action is in force, stays quiet when nothing changed", async () => {
        const groups = { "eks-research-spot-asg": busy(), "eks-research-big-asg": idle(), "eks-search-ondemand-asg": busy() };
        cluster(groups);
        actionIs("EXECUTION_SUCCESS");
        for (const status of ["STANDBY", "PENDING", "REVERSE_SUCCESS", "RESET_IN_PROGRESS"]) {
            budgets.on(DescribeBudgetActionsForBudgetCommand, { BudgetName: "ai-prod-search" }).resolves({ Actions: [{ ActionId: ACTION_ID, Status: status } as never] });
            asg.resetHistory();
            const reports = await run({ action: "reconcile" }, env, clients(), new SNSClient({}));
            assert.deepEqual(held(reports), [["ml-research", ["held", "held"]]], `search's action ${status}: not held`);
        }
        // Already held (the record is on the group): a reconcile changes nothing and publishes nothing.
        sns.reset();
        const record = JSON.stringify({ at: NOW.toISOString(), minSize: 1, maxSize: 8, suspended: ["Launch", "ScheduledActions"] });
        const heldGroup = { MinSize: 0, MaxSize: 3, DesiredCapacity: 3, SuspendedProcesses: [{ ProcessName: "Launch" }, { ProcessName: "ScheduledActions" }], Tags: [{ Key: HOLD_TAG, Value: record }] } as unknown as AutoScalingGroup;
        cluster({ ...groups, "eks-research-spot-asg": heldGroup, "eks-research-big-asg": { ...heldGroup, MaxSize: 0, DesiredCapacity: 0 } as AutoScalingGroup });
        const quiet = await run({ action: "reconcile" }, env, clients(), new SNSClient({}));
        assert.deepEqual(held(quiet), [["ml-research", ["already-held", "already-held"]]]);
        assert.equal(sns.commandCalls(PublishCommand).length, 0, "no e-mail every 10 minutes while held");
    });

    it("holds the other teams when one team's action cannot be read, then fails so the error alarm fires", async () => {
        cluster({ "eks-research-spot-asg": busy(), "eks-research-big-asg": idle(), "eks-search-ondemand-asg": busy() });
        actionIs("EXECUTION_SUCCESS");
        budgets.on(DescribeBudgetActionsForBudgetCommand, { BudgetName: "ai-prod-search" }).rejects(new Error("AccessDenied"));
        await assert.rejects(run({ action: "reconcile" }, env, clients()), /reading the budget action of search: AccessDenied/);
        assert.deepEqual(calls(SuspendProcessesCommand).map((c: any) => c.AutoScalingGroupName), ["eks-research-spot-asg", "eks-research-big-asg"]);
    });

    it("reads the one action of a team's budget: none, one without a status, or more than one", async () => {
        const read = () => budgetAction(new BudgetsClient({}), "123456789012", "ai-prod-ml-research");
        budgets.on(DescribeBudgetActionsForBudgetCommand).resolves({});
        assert.equal(await read(), undefined);
        budgets.reset();
        budgets.on(DescribeBudgetActionsForBudgetCommand).resolves({ Actions: [{ ActionId: ACTION_ID } as never] });
        assert.equal(await read(), undefined, "an action without a status is no verdict");
        budgets.reset();
        budgets.on(DescribeBudgetActionsForBudgetCommand).resolves({ Actions: [{ ActionId: ACTION_ID, Status: "PENDING" }, { ActionId: "other", Status: "STANDBY" }] as never });
        await assert.rejects(read(), /budget ai-prod-ml-research has 2 actions; expected the one this project creates/);
        assert.deepEqual([inForce(undefined), lifted(undefined)], [false, false]);
        // A manual team whose budget has no action is not held by its notification.
        budgets.reset();
        budgets.on(DescribeBudgetActionsForBudgetCommand).resolves({ Actions: [] });
        cluster({ "eks-research-spot-asg": busy(), "eks-research-big-asg": idle() });
        assert.deepEqual(await run(notify(RESEARCH_TOPIC), env, clients()), []);
    });

    it("holds by hand without asking Budgets, and says what it changed in the report's subject", async () => {
        cluster({ "eks-research-spot-asg": busy(), "eks-research-big-asg": idle() });
        await run({ action: "hold", team: "ml-research" }, env, clients(), new SNSClient({}));
        assert.equal(budgets.commandCalls(DescribeBudgetActionsForBudgetCommand).length, 0);
        assert.equal(sns.commandCalls(PublishCommand)[0].args[0].input.Subject, "Budget hold: ml-research");
    });

    it("tells a changed or failed report from a quiet one", () => {
        const report = (...statuses: { status: string; changes?: string[] }[]) => ({ action: "hold" as const, cluster: "c", team: "t", failed: statuses.some((s) => s.status === "failed"), groups: statuses.map((s) => ({ nodeGroup: "g", asg: "a", changes: [], ...s })) }) as never;
        assert.equal(changedSomething(report({ status: "already-held" }, { status: "not-held" })), false);
        assert.equal(changedSomething(report({ status: "already-held", changes: ["suspended Launch"] })), true);
        for (const status of ["held", "released", "failed"]) assert.equal(changedSomething(report({ status, changes: [] })), true, status);
    });

    it("throws on a failed hold so SNS retries, and on unknown topics, teams or actions", async () => {
        cluster({ "eks-research-spot-asg": busy(), "eks-research-big-asg": idle() });
        asg.on(UpdateAutoScalingGroupCommand).rejects(new Error("nope"));
        await assert.rejects(run({ action: "hold", team: "ml-research" }, env, clients()), /hold of ml-research failed/);
        assert.throws(() => requests(notify("arn:other"), teams), /no team is held through topic arn:other/);
        assert.throws(() => requests({ action: "release", team: "web" }, teams), /one of \["ml-research","search"\]/);
        assert.throws(() => requests({ action: "stop" } as never, teams), /expected \{"action": "reconcile"\}/);
        assert.throws(() => requests({ action: "stop", team: "search" } as never, teams), /expected \{"action": "reconcile"\}/);
        assert.throws(() => requests({ action: "hold", team: ["search"] } as never, { ...teams, search: teams.search }), /expected/);
        assert.deepEqual(requests({ action: "release", team: "search" }, teams), [{ action: "release", team: "search" }]);
    });
});

describe("budget hold wiring", () => {
    const chargeback = { team: "platform", costCenter: "CC-P", environment: "prod", owner: "p@example.com" };
    const alerts = { emails: ["oncall@example.com"], warningPercent: 70, criticalPercent: 90 };
    const teams = [
        { id: "search", costCenter: "CC-2", owner: "search@example.com", monthlyBudgetUsd: 4000, budgetAction: { deployRole: "search-deployer", approval: "automatic" as const } },
        { id: "ml-research", costCenter: "CC-1", owner: "ml@example.com", monthlyBudgetUsd: 3000, budgetAction: { deployRole: "ml-deployer", approval: "manual" as const } },
        { id: "web", costCenter: "CC-3", owner: "web@example.com", monthlyBudgetUsd: 1000 },
    ];
    const render = () => declare(() => new TeamBudgets("b", {
        environment: "prod", teams, environmentBudgetUsd: 9000, alerts, platformOwner: "p@example.com",
        warningTopicArn: "arn:warning", criticalTopicArn: "arn:critical", chargeback, hold: { clusterName: "ai-prod", alertsKeyArn: "arn:key" }, namePrefix: "ai-prod",
    }));

    it("routes an automatic team's 100 % notification to its hold topic, a manual team's to the critical topic", async () => {
        const resources = await render();
        const topics = ofType(resources, "aws:sns/topic:Topic").map((t) => [t.inputs.name, t.inputs.kmsMasterKeyId]);
        assert.deepEqual(topics, [["ai-prod-search-budget-hold", "arn:key"], ["ai-prod-ml-research-budget-hold", "arn:key"]], "one encrypted topic per limited team");
        const budget = (n: string) => ofType(resources, "aws:budgets/budget:Budget").find((b) => b.inputs.name === n)!.inputs as Record<string, any>;
        const at100 = (n: string) => budget(n).notifications.filter((x: any) => x.notificationType === "ACTUAL" && x.threshold === 100).map((x: any) => x.subscriberSnsTopicArns);
        assert.deepEqual(at100("ai-prod-search"), [["arn:aws:sns:us-east-1:123456789012:sns/ai-prod-search-budget-hold"]]);
        assert.deepEqual(at100("ai-prod-ml-research"), [["arn:critical"]]);
        assert.deepEqual(at100("ai-prod-web"), [["arn:critical"]]);
        // Both budget actions tell the hold topic when they are pending or have run: the Lambda then reads their status.
        const actions = ofType(resources, "aws:budgets/budgetAction:BudgetAction").map((x) => [x.inputs.budgetName, x.inputs.approvalModel, x.inputs.subscribers]).sort((a, b) => String(b[0]).localeCompare(String(a[0])));
        assert.deepEqual(actions, [
            ["ai-prod-search", "AUTOMATIC", [{ address: "search@example.com", subscriptionType: "EMAIL" }, { address: "arn:aws:sns:us-east-1:123456789012:sns/ai-prod-search-budget-hold", subscriptionType: "SNS" }]],
            ["ai-prod-ml-research", "MANUAL", [{ address: "ml@example.com", subscriptionType: "EMAIL" }, { address: "arn:aws:sns:us-east-1:123456789012:sns/ai-prod-ml-research-budget-hold", subscriptionType: "SNS" }]],
        ]);
        const policy = JSON.parse(String(one(resources, "aws:sns/topicPolicy:TopicPolicy", "b-hold-search").inputs.policy));
        assert.deepEqual([policy.Statement[0].Principal.Service, policy.Statement[0].Condition.StringEquals["aws:SourceAccount"]], ["budgets.amazonaws.com", "123456789012"]);
    });

    it("deploys the tested handler on Node.js 22, subscribed to every hold topic, with an error alarm", async () => {
        const resources = await render();
        const fn = one(resources, "aws:lambda/function:Function").inputs as Record<string, any>;
        assert.deepEqual([fn.name, fn.runtime, fn.handler, fn.reservedConcurrentExecutions], ["ai-prod-budget-hold", "nodejs22.x", "components/budgetHold/handler.handler", undefined], "reserved concurrency fails on a fresh account");
        assert.equal(fn.environment.variables.CLUSTER_NAME, "ai-prod");
        assert.equal(fn.environment.variables.REPORT_TOPIC_ARN, "arn:critical");
        assert.equal(fn.environment.variables.ACCOUNT_ID, "123456789012");
        assert.deepEqual(JSON.parse(fn.environment.variables.TEAMS), {
            search: { topicArn: "arn:aws:sns:us-east-1:123456789012:sns/ai-prod-search-budget-hold", budgetName: "ai-prod-search", approval: "automatic" },
            "ml-research": { topicArn: "arn:aws:sns:us-east-1:123456789012:sns/ai-prod-ml-research-budget-hold", budgetName: "ai-prod-ml-research", approval: "manual" },
        });
        const subs = ofType(resources, "aws:sns/topicSubscription:TopicSubscription");
        assert.deepEqual(subs.map((s) => s.inputs.protocol), ["lambda", "lambda"]);
        assert.deepEqual(ofType(resources, "aws:lambda/permission:Permission").map((p) => p.inputs.principal).sort(), ["events.amazonaws.com", "sns.amazonaws.com", "sns.amazonaws.com"]);
        // The schedule that catches a console approval: the Lambda, with the reconcile request.
        const rule = one(resources, "aws:cloudwatch/eventRule:EventRule").inputs as Record<string, any>;
        assert.deepEqual([rule.name, rule.scheduleExpression], ["ai-prod-budget-hold-reconcile", "rate(10 minutes)"]);
        const target = one(resources, "aws:cloudwatch/eventTarget:EventTarget").inputs as Record<string, any>;
        assert.deepEqual([target.rule, target.arn, JSON.parse(target.input)], [rule.name, fn.arn ?? target.arn, { action: "reconcile" }]);
        assert.match(String(one(resources, "aws:lambda/permission:Permission", "b-hold-reconcile").inputs.sourceArn), /ai-prod-budget-hold-reconcile$/);
        const alarm = one(resources, "aws:cloudwatch/metricAlarm:MetricAlarm").inputs as Record<string, any>;
        assert.deepEqual([alarm.namespace, alarm.metricName, alarm.dimensions.FunctionName, alarm.treatMissingData, alarm.alarmActions], ["AWS/Lambda", "Errors", "ai-prod-budget-hold", "notBreaching", ["arn:critical"]]);
    });

    it("lets the Lambda change only the cluster's Auto Scaling groups", () => {
        const p = holdPolicy("123456789012", "us-east-1", "ai-prod", "arn:critical", "arn:key", ["ai-prod-search"]) as { Statement: { Sid: string; Action: string | string[]; Resource: string | string[]; Condition?: Record<string, Record<string, string>> }[] };
        const write = p.Statement.find((s) => s.Sid === "HoldClusterGroups")!;
        assert.deepEqual(write.Condition, { StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/ai-prod": "owned" } });
        assert.ok(!p.Statement.some((s) => s.Sid !== "ReadGroups" && s.Resource === "*"), "only Describe is unscoped");
        assert.ok(!JSON.stringify(p).includes("ec2:"), "never touches instances directly");
        const budgetRead = p.Statement.find((s) => s.Sid === "ReadBudgetActions")!;
        assert.deepEqual([budgetRead.Action, budgetRead.Resource], ["budgets:DescribeBudgetActionsForBudget", ["arn:aws:budgets::123456789012:budget/ai-prod-search"]]);
        assert.ok(!JSON.stringify(p).includes("ExecuteBudgetAction"), "approving or reversing is a person's call");
    });

    it("ships JavaScript that loads and runs as the Lambda would", () => {
        const dir = path.join(__dirname, "..", "..", ".scratch", "budget-hold-lambda");
        fs.mkdirSync(dir, { recursive: true });
        const files = lambdaFiles(HOLD_SOURCES);
        assert.deepEqual(Object.keys(files).sort(), ["components/budgetHold/budgetAction.js", "components/budgetHold/constants.js", "components/budgetHold/handler.js", "components/budgetHold/hold.js"]);
        for (const [name, js] of Object.entries(files)) {
            fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
            fs.writeFileSync(path.join(dir, name), js);
        }
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const shipped = require(path.join(dir, "components/budgetHold/handler.js")) as { handler: unknown; requests: typeof requests };
        assert.equal(typeof shipped.handler, "function");
        const teams = { a: { topicArn: "arn:t", budgetName: "b-a", approval: "manual" as const }, b: { topicArn: "arn:u", budgetName: "b-b", approval: "automatic" as const } };
        assert.deepEqual(shipped.requests({ Records: [{ Sns: { TopicArn: "arn:t", Message: "" } }, { Sns: { TopicArn: "arn:u", Message: "" } }] }, teams),
            [{ action: "hold-if-in-force", team: "a" }, { action: "hold-unless-lifted", team: "b" }]);
    });
});

describe("AWS Budgets from any region", () => {
    it("reaches the global Budgets endpoint, signed for us-east-1, from a client made with the stack's region", async () => {
        // The Lambda and `npm run budget` create the client with the cluster's region; Budgets is global.
        for (const region of ["us-east-1", "eu-west-1", "ap-southeast-2"]) {
            const client = new BudgetsClient({ region, credentials: { accessKeyId: "a", secretAccessKey: "b" } });
            const endpoint = await client.config.endpointProvider({ Region: region, UseFIPS: false, UseDualStack: false });
            assert.equal(endpoint.url.href, "https://budgets.amazonaws.com/", region);
            assert.deepEqual((endpoint.properties as { authSchemes: { signingRegion: string }[] }).authSchemes.map((a) => a.signingRegion), ["us-east-1"], region);
        }
    });
});

describe("npm run budget", () => {
    beforeEach(() => { eks.reset(); asg.reset(); budgets.reset(); });
    const repo = path.join(__dirname, "..", "..");
    const run = async (argv: string[]) => {
        const out: string[] = [];
        const code = await main(argv, repo, clients(), (s) => out.push(s), (s) => out.push(s));
        return { code, out: out.join("\n") };
    };

    const heldCluster = () => {
        const record: HoldRecord = { at: "2026-11-25T00:00:00.000Z", minSize: 0, maxSize: 8, suspended: ["Launch", "ScheduledActions"] };
        cluster({ "eks-research-spot-asg": { MinSize: 0, MaxSize: 0, DesiredCapacity: 0, Tags: [{ Key: HOLD_TAG, Value: JSON.stringify(record) }] } as unknown as AutoScalingGroup, "eks-research-big-asg": idle() });
    };

    it("reverses the team's budget action, then releases its groups on the stack's cluster, and shows status", async () => {
        heldCluster();
        actionIs("EXECUTION_SUCCESS");
        const st = await run(["status", "prod", "ml-research"]);
        assert.equal(st.code, 0);
        assert.match(st.out, new RegExp(`budget action ${ACTION_ID}: EXECUTION_SUCCESS \\(in force\\)`));
        assert.match(st.out, /research-spot \(eks-research-spot-asg\): HELD since 2026-11-25T00:00:00.000Z \(release restores min 0, max 8\)/);
        assert.match(st.out, /research-big \(eks-research-big-asg\): not held/);
        assert.equal((eks.commandCalls(ListNodegroupsCommand)[0].args[0].input as { clusterName: string }).clusterName, "ai-prod");
        const rel = await run(["release", "prod", "ml-research"]);
        assert.equal(rel.code, 0, rel.out);
        assert.deepEqual(executions(), [["ai-prod-ml-research", "REVERSE_BUDGET_ACTION"]], "else the schedule holds the team again");
        assert.deepEqual(budgets.commandCalls(ExecuteBudgetActionCommand)[0].args[0].input.ActionId, ACTION_ID);
        assert.deepEqual(calls(UpdateAutoScalingGroupCommand), [{ AutoScalingGroupName: "eks-research-spot-asg", MinSize: 0, MaxSize: 8 }]);
    });

    it("refuses to release while the action is in force but cannot be reversed, leaving the groups held", async () => {
        heldCluster();
        for (const status of ["EXECUTION_IN_PROGRESS", "EXECUTION_FAILURE"]) {
            budgets.reset();
            actionIs(status);
            const rel = await run(["release", "prod", "ml-research"]);
            assert.equal(rel.code, 1, status);
            assert.match(rel.out, new RegExp(`is ${status}; it can be reversed only once it has run`));
            assert.deepEqual(executions(), []);
            assert.equal(calls(UpdateAutoScalingGroupCommand).length, 0, "groups stay held");
        }
        // Reversal refused by Budgets (e.g. no budgets:ExecuteBudgetAction): exit 1, groups untouched.
        budgets.reset();
        actionIs("EXECUTION_SUCCESS");
        budgets.on(ExecuteBudgetActionCommand).rejects(new Error("AccessDeniedException: not authorized to perform budgets:ExecuteBudgetAction"));
        const denied = await run(["release", "prod", "ml-research"]);
        assert.deepEqual([denied.code, /budgets:ExecuteBudgetAction/.test(denied.out), calls(UpdateAutoScalingGroupCommand).length], [1, true, 0]);
    });

    it("hold holds the groups even when Budgets cannot be reached (the emergency brake), and exits 1", async () => {
        cluster({ "eks-research-spot-asg": busy(), "eks-research-big-asg": idle() });
        budgets.on(DescribeBudgetActionsForBudgetCommand).rejects(new Error("AccessDeniedException: budgets:DescribeBudgetActionsForBudget"));
        const h = await run(["hold", "prod", "ml-research"]);
        assert.equal(h.code, 1);
        assert.match(h.out, /AccessDeniedException/);
        assert.deepEqual(calls(SuspendProcessesCommand).map((c: any) => c.AutoScalingGroupName), ["eks-research-spot-asg", "eks-research-big-asg"]);
        const st = await run(["status", "prod", "ml-research"]);
        assert.equal(st.code, 0);
        assert.match(st.out, /budget action unreadable \(AccessDeniedException/);
    });

    it("release warns that the deny may still be attached when a reversal or reset failed", async () => {
        heldCluster();
        actionIs("REVERSE_FAILURE");
        const rel = await run(["release", "prod", "ml-research"]);
        assert.equal(rel.code, 0, rel.out);
        assert.match(rel.out, /REVERSE_FAILURE; left as it is\. WARNING: the deploy-role deny may still be attached/);
    });

    it("hold approves a pending action (as the console would) and holds; an action already run or on standby is left alone", async () => {
        cluster({ "eks-research-spot-asg": busy(), "eks-research-big-asg": idle() });
        actionIs("PENDING");
        const h = await run(["hold", "prod", "ml-research"]);
        assert.equal(h.code, 0, h.out);
        assert.deepEqual(executions(), [["ai-prod-ml-research", "APPROVE_BUDGET_ACTION"]]);
        assert.deepEqual(calls(SuspendProcessesCommand).map((c: any) => c.AutoScalingGroupName), ["eks-research-spot-asg", "eks-research-big-asg"]);
        for (const status of ["EXECUTION_SUCCESS", "STANDBY"]) {
            budgets.reset();
            actionIs(status);
            assert.equal((await run(["hold", "prod", "ml-research"])).code, 0);
            assert.deepEqual(executions(), [], status);
        }
    });

    it("touches no budget action for a team without a hard limit", async () => {
        cluster({ "eks-search-ondemand-asg": busy() });
        const h = await run(["hold", "prod", "search"]);
        assert.equal(h.code, 0, h.out);
        assert.equal(budgets.commandCalls(DescribeBudgetActionsForBudgetCommand).length, 0);
        assert.match((await run(["status", "prod", "search"])).out, /no hard limit/);
    });

    it("finds the project from the transpile cache it also runs from", () => {
        assert.equal(projectDir(path.join(repo, ".build", "ops")), repo);
    });

    it("exits 2 on bad usage or an unknown team, and 1 when a group fails", async () => {
        assert.equal((await run(["stop", "prod", "ml-research"])).code, 2);
        const unknown = await run(["hold", "prod", "nobody"]);
        assert.deepEqual([unknown.code, unknown.out], [2, 'team "nobody" is not a team of stack prod: one of ml-research, search']);
        cluster({ "eks-research-spot-asg": busy(), "eks-research-big-asg": idle() });
        actionIs("EXECUTION_SUCCESS");
        asg.on(SuspendProcessesCommand).rejects(new Error("denied"));
        assert.equal((await run(["hold", "prod", "ml-research"])).code, 1);
    });
});

describe("budget action and alert key scoping", () => {
    it("lets Budgets attach the deny to this account's deploy role only, and the alert key serve this account only", async () => {
        const resources = await declare(() => {
            new TeamBudgets("b", {
                environment: "dev", warningTopicArn: "arn:w", criticalTopicArn: "arn:c", environmentBudgetUsd: 10, platformOwner: "p@example.com",
                alerts: { emails: [], warningPercent: 70, criticalPercent: 90 }, chargeback: { team: "platform", costCenter: "C", environment: "dev", owner: "p@example.com" },
                teams: [{ id: "a", costCenter: "C", owner: "a@example.com", monthlyBudgetUsd: 5, budgetAction: { deployRole: "a-deployer", approval: "manual" } }],
            });
            new Monitoring("m", {
                environment: "dev", region: "us-east-1", clusterName: "c", clusterNameText: "c", cacheNodes: [], gatewayNamespace: "n",
                alerts: { emails: [], warningPercent: 70, criticalPercent: 90 }, teams: [], environmentBudgetUsd: 1, chargeback: { team: "platform", costCenter: "C", environment: "dev", owner: "p@example.com" },
            });
        });
        const exec = JSON.parse(String(one(resources, "aws:iam/rolePolicy:RolePolicy", "b-a-budget-action").inputs.policy));
        assert.deepEqual(exec.Statement[0].Resource, ["arn:aws:iam::123456789012:role/a-deployer", "arn:aws:iam::123456789012:role/*/a-deployer"]);
        const key = JSON.parse(String(one(resources, "aws:kms/key:Key").inputs.policy));
        assert.deepEqual(key.Statement.find((s: { Sid: string }) => s.Sid === "AlertPublishers").Condition, { StringEquals: { "aws:SourceAccount": "123456789012" } });
    });
});

describe("Lambda code under npm run plan", () => {
    it("ships the same bytes from the .build/ cache as transpiled from the sources", function () {
        this.timeout(60000);
        const repoRoot = path.join(__dirname, "..", "..");
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const run = require(path.join(repoRoot, "tools", "run.js")) as { build: () => number; outputPath: (rel: string) => string };
        run.build();
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const cached = require(run.outputPath("components/lambdaCode.ts")) as { lambdaFiles: typeof lambdaFiles };
        assert.deepEqual(cached.lambdaFiles(HOLD_SOURCES), lambdaFiles(HOLD_SOURCES));
        assert.ok(!Object.values(cached.lambdaFiles(HOLD_SOURCES)).some((js) => js.includes("sourceMappingURL")));
    });
});
