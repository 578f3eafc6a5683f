import { strict as assert } from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { defaultNamePrefix, gatewayKeySecretName, platformNamePrefix } from "../../components/names";
import { PlanReportResource, runPlan } from "../../plan/plan";

const ROOT = path.resolve(__dirname, "..", "..");

/**
 * Inputs that hold an explicit physical name, and the resource types whose such names are scoped inside
 * another resource (a node group inside its cluster, a schedule inside its Auto Scaling group, a metric
 * filter inside its log group, an inline policy inside its role): everything else is unique per account
 * (budgets, anomaly monitors, dashboards, IAM) or per region (topics, alarms, secrets, log groups, caches).
 */
const NAME_INPUTS = ["name", "alarmName", "dashboardName", "replicationGroupId", "finalSnapshotIdentifier", "bucket", "identifier"];
const SCOPED_IN_PARENT = new Set([
    "aws:eks/nodeGroup:NodeGroup", "aws:eks/addon:Addon", "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    "aws:autoscaling/schedule:Schedule", "aws:cloudwatch/logMetricFilter:LogMetricFilter", "aws:iam/rolePolicy:RolePolicy",
]);

function explicitNames(resources: PlanReportResource[]): Map<string, string> {
    const names = new Map<string, string>();
    for (const r of resources) {
        if (!r.type.startsWith("aws:") || SCOPED_IN_PARENT.has(r.type)) continue;
        for (const key of NAME_INPUTS) {
            const value = r.inputs[key];
            if (typeof value === "string") names.set(`${r.type} ${key}=${value}`, r.name);
        }
    }
    return names;
}

/** A second stack of the same environment in the same account and region: a copy of the file with its own cluster. */
function copyWithCluster(stack: string, cluster: string): string {
    const doc = yaml.load(fs.readFileSync(path.join(ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, { name: string }> };
    doc.config["ai-infra:cluster"] = { ...doc.config["ai-infra:cluster"], name: cluster };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ai-names-")), `Pulumi.${stack}-two.yaml`);
    fs.writeFileSync(file, yaml.dump(doc));
    return file;
}

describe("explicit physical names never collide between stacks", function () {
    this.timeout(120_000);

    for (const stack of ["dev", "prod"]) {
        it(`planning ${stack} and a second ${stack} stack (${stack}-two) in one account and region finds no shared name`, async () => {
            const first = await runPlan({ stack });
            const second = await runPlan({ stack: `${stack}-two`, configFile: copyWithCluster(stack, `ai-${stack}-two`) });
            assert.equal(second.environment, first.environment);
            const a = explicitNames(first.resources);
            const b = explicitNames(second.resources);
            // The check has something to judge: budgets, the anomaly monitor, topics, alarms, the dashboard, secrets.
            const kinds = new Set([...a.keys()].map((k) => k.split(" ")[0]));
            for (const type of ["aws:budgets/budget:Budget", "aws:costexplorer/anomalyMonitor:AnomalyMonitor", "aws:sns/topic:Topic", "aws:cloudwatch/dashboard:Dashboard", "aws:secretsmanager/secret:Secret"]) {
                assert.ok(kinds.has(type), `${stack} declares a named ${type}`);
            }
            const shared = [...a.keys()].filter((k) => b.has(k));
            assert.deepEqual(shared, [], `names both stacks would claim: ${shared.join("; ")}`);
        });
    }

    it("keeps the names the bundled stacks were deployed with (stack = environment), so nothing is replaced", async () => {
        const dev = explicitNames((await runPlan({ stack: "dev" })).resources);
        for (const name of ["aws:budgets/budget:Budget name=ai-dev", "aws:budgets/budget:Budget name=ai-dev-ml-research", "aws:costexplorer/anomalyMonitor:AnomalyMonitor name=ai-dev-teams",
            "aws:sns/topic:Topic name=ai-dev-warning", "aws:cloudwatch/dashboard:Dashboard dashboardName=ai-dev", "aws:secretsmanager/secret:Secret name=ai-infra/dev/gateway/ml-research"]) {
            assert.ok(dev.has(name), `dev still declares ${name}`);
        }
    });

    it("names the prod cache's final snapshot after its replication group, not a fixed string", async () => {
        const prod = await runPlan({ stack: "prod" });
        const group = prod.resources.find((r) => r.type === "aws:elasticache/replicationGroup:ReplicationGroup")!;
        assert.equal(group.inputs.finalSnapshotIdentifier, `${group.inputs.replicationGroupId}-final`);
        assert.equal(group.inputs.finalSnapshotIdentifier, "ai-prod-ratelimit-final");
    });

    it("lets a dev stack be destroyed and re-created at once: its key secrets have no recovery window; prod keeps 30 days", async () => {
        for (const [stack, days] of [["dev", 0], ["prod", 30]] as const) {
            const secrets = (await runPlan({ stack })).resources.filter((r) => r.type === "aws:secretsmanager/secret:Secret" && String(r.inputs.name).includes("/gateway/"));
            assert.ok(secrets.length > 0);
            for (const s of secrets) assert.equal(s.inputs.recoveryWindowInDays, days, `${stack} ${String(s.inputs.name)}`);
        }
    });

    it("derives prefixes from the stack (and the project for reusing programs), safe for AWS names", () => {
        assert.equal(platformNamePrefix("dev-eu"), "ai-dev-eu");
        assert.equal(defaultNamePrefix("vision-gpus", "dev"), "vision-gpus-dev");
        assert.equal(platformNamePrefix("dev_alice.test"), "ai-dev-alice-test");
        assert.equal(gatewayKeySecretName("search", "ai-infra", "dev-eu"), "ai-infra/dev-eu/gateway/search");
    });
});

describe("a reusing program's default names", () => {
    it("are <project>-<stack>, so a team's budgets never take the platform's (ai-<stack>)", async () => {
        const { declare, ofType } = await import("../helpers");
        const { TeamBudgets } = await import("../../components/budgets");
        const team = { id: "vision", costCenter: "CC-3", owner: "v@example.com", monthlyBudgetUsd: 1000 };
        const resources = await declare(() => new TeamBudgets("b", {
            environment: "dev", teams: [team], environmentBudgetUsd: 1000, alerts: { emails: [], warningPercent: 70, criticalPercent: 90 },
            platformOwner: "v@example.com", warningTopicArn: "arn:w", criticalTopicArn: "arn:c",
            chargeback: { team: "vision", costCenter: "CC-3", environment: "dev", owner: "v@example.com" }, activateCostAllocationTags: false,
        }));
        assert.deepEqual(ofType(resources, "aws:budgets/budget:Budget").map((b) => b.inputs.name).sort(), ["ai-infra-test", "ai-infra-test-vision"]);
        assert.deepEqual(ofType(resources, "aws:costexplorer/anomalyMonitor:AnomalyMonitor").map((m) => m.inputs.name), ["ai-infra-test-teams"]);
    });
});
