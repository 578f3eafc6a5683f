import { strict as assert } from "assert";
import { HOURS_PER_MONTH, roundCents, UNIT_PRICES } from "../../components/catalog";
import { CostResource, estimateCost, teamOf } from "../../lib/cost";

/** One test per pricer: the line each resource type produces, at list prices (us-east-1) unless said. */
const tags = { team: "a" };
const res = (type: string, props: Record<string, unknown>, name = "r", over: Partial<CostResource> = {}): CostResource =>
    ({ urn: `urn:pulumi:dev::ai-infra::${type}::${name}`, type, name, props, ...over });
const ASOF = new Date("2026-11-01T00:00:00Z");
const estimate = (resources: CostResource[], region = "us-east-1", over: object = {}) => estimateCost(resources, { region, asOf: ASOF, ...over });
const only = (r: CostResource, region?: string) => {
    const e = estimate([r], region);
    assert.equal(e.lines.length, 1, JSON.stringify(e.lines));
    return e.lines[0];
};
const G5 = 1.006, CACHE_SMALL = 0.0256, EU = 1.116;
const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - roundCents(expected)) <= 0.01, `${actual} vs ${roundCents(expected)}`);

describe("cost pricers (lib/cost.ts)", () => {
    it("NLB: an EnvoyProxy whose Service is a LoadBalancer costs one NLB; ClusterIP or no service type costs nothing", () => {
        const proxy = (type?: string) => res("kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy", { spec: { provider: { kubernetes: { envoyService: type ? { type } : {} } } }, metadata: { labels: tags } });
        const line = only(proxy("LoadBalancer"));
        assert.equal(line.kind, "load-balancer");
        close(line.monthly.max, UNIT_PRICES.nlbPerHour * HOURS_PER_MONTH);
        assert.deepEqual(estimate([proxy("ClusterIP")]).lines, []);
        assert.deepEqual(estimate([proxy()]).lines, []);
    });

    it("Elastic IP, NAT gateway, KMS key, secret, alarms, dashboard and budget action: their unit prices a month", () => {
        const cases: [string, string, number][] = [
            ["aws:ec2/eip:Eip", "public-ipv4", UNIT_PRICES.publicIpv4PerHour * HOURS_PER_MONTH],
            ["aws:ec2/natGateway:NatGateway", "nat-gateway", UNIT_PRICES.natGatewayPerHour * HOURS_PER_MONTH],
            ["aws:kms/key:Key", "kms-key", UNIT_PRICES.kmsKeyPerMonth],
            ["aws:secretsmanager/secret:Secret", "secret", UNIT_PRICES.secretPerMonth],
            ["aws:cloudwatch/metricAlarm:MetricAlarm", "alarm", UNIT_PRICES.alarmStandardPerMonth],
            ["aws:cloudwatch/compositeAlarm:CompositeAlarm", "alarm", UNIT_PRICES.alarmCompositePerMonth],
            ["aws:cloudwatch/dashboard:Dashboard", "dashboard", UNIT_PRICES.dashboardPerMonth],
            ["aws:budgets/budgetAction:BudgetAction", "budget-action", 0.1 * HOURS_PER_MONTH / 24],
        ];
        for (const [type, kind, usd] of cases) {
            const line = only(res(type, { tags }));
            assert.equal(line.kind, kind, type);
            close(line.monthly.min, usd);
            close(line.monthly.max, usd);
            close(only(res(type, { tags }), "eu-west-1").monthly.max, usd * EU);
        }
        assert.ok(UNIT_PRICES.publicIpv4PerHour * HOURS_PER_MONTH > 3, "an EIP is about $3.65 a month");
    });

    it("cache: numCacheClusters nodes when given, else shards x (1 + replicas); regional; unknown types unpriced", () => {
        const rg = (props: Record<string, unknown>) => res("aws:elasticache/replicationGroup:ReplicationGroup", { nodeType: "cache.t4g.small", tags, ...props });
        const three = only(rg({ numCacheClusters: 3 }));
        assert.equal(three.description, "cache cache.t4g.small x 3");
        close(three.monthly.max, CACHE_SMALL * HOURS_PER_MONTH * 3);
        const clustered = only(rg({ numNodeGroups: 2, replicasPerNodeGroup: 1 }));
        assert.equal(clustered.description, "cache cache.t4g.small x 4");
        close(clustered.monthly.max, CACHE_SMALL * HOURS_PER_MONTH * 4);
        assert.equal(only(rg({})).description, "cache cache.t4g.small x 1");
        close(only(rg({ numCacheClusters: 1 }), "eu-west-1").monthly.max, CACHE_SMALL * EU * HOURS_PER_MONTH);
        const unknown = only(rg({ nodeType: "cache.x9.huge" }));
        assert.equal(unknown.unpriced, "cache node type cache.x9.huge is not in the catalog");
        assert.equal(unknown.monthly.max, 0);
        assert.equal(only(rg({}), "ap-south-9").unpriced, "no prices for region ap-south-9");
    });

    it("node groups: on-demand and spot at the dearest type, disk from the template, else diskSize, else 20 GiB", () => {
        const ng = (props: Record<string, unknown>, over: Partial<CostResource> = {}) =>
            res("aws:eks/nodeGroup:NodeGroup", { instanceTypes: ["g5.xlarge"], scalingConfig: { minSize: 1, desiredSize: 2, maxSize: 3 }, tags, ...props }, "ng", over);
        const node = (hourly: number, disk: number) => hourly * HOURS_PER_MONTH + disk * UNIT_PRICES.gp3PerGiBMonth;
        const onDemand = only(ng({}));
        close(onDemand.monthly.min, node(G5, 20));
        close(onDemand.monthly.expected, 2 * node(G5, 20));
        close(onDemand.monthly.max, 3 * node(G5, 20));
        assert.deepEqual(onDemand.naive, { maxSize: 3, onDemandHourly: G5, storageMonthlyPerNode: 20 * UNIT_PRICES.gp3PerGiBMonth });
        close(only(ng({ diskSize: 100 })).monthly.min, node(G5, 100));
        close(only(ng({ capacityType: "SPOT" })).monthly.min, node(G5 * 0.4, 20));
        close(estimate([ng({ capacityType: "SPOT" })], "us-east-1", { spotDiscount: { g5: 0.5 } }).lines[0].monthly.min, node(G5 * 0.5, 20));
        close(only(ng({}), "eu-west-1").monthly.min, G5 * EU * HOURS_PER_MONTH + 20 * UNIT_PRICES.gp3PerGiBMonth * EU);
        const lt = res("aws:ec2/launchTemplate:LaunchTemplate", { blockDeviceMappings: [{ ebs: { volumeSize: 500 } }] }, "lt");
        const withTemplate = estimate([lt, ng({ launchTemplate: { id: "lt-1" } }, { dependencies: [lt.urn] })]).lines;
        assert.equal(withTemplate.length, 1);
        close(withTemplate[0].monthly.min, node(G5, 500));
    });

    it("node groups it cannot price say why: no types, a type outside the catalog, a region without prices", () => {
        const ng = (props: Record<string, unknown>) => res("aws:eks/nodeGroup:NodeGroup", { scalingConfig: { minSize: 0, desiredSize: 0, maxSize: 1 }, tags, ...props });
        assert.equal(only(res("aws:ec2/instance:Instance", { tags })).unpriced, "no instance types listed");
        assert.equal(only(ng({ instanceTypes: ["g9.mega"] })).unpriced, "instance type g9.mega is not in the catalog");
        assert.equal(only(ng({ instanceTypes: ["g5.xlarge"] }), "ap-south-9").unpriced, "no prices for region ap-south-9");
        const e = estimate([ng({ instanceTypes: ["g9.mega"] })]);
        assert.deepEqual(e.warnings, [`${e.lines[0].urn}: not priced: instance type g9.mega is not in the catalog`]);
    });

    it("EC2 instances: root volume, else the 8 GiB AMI default", () => {
        const inst = (props: Record<string, unknown>) => res("aws:ec2/instance:Instance", { instanceType: "g5.xlarge", tags, ...props });
        close(only(inst({})).monthly.max, G5 * HOURS_PER_MONTH + 8 * UNIT_PRICES.gp3PerGiBMonth);
        close(only(inst({ rootBlockDevice: { volumeSize: 50 } })).monthly.max, G5 * HOURS_PER_MONTH + 50 * UNIT_PRICES.gp3PerGiBMonth);
        assert.equal(only(inst({})).description.startsWith("EC2 instance "), true);
    });

    it("prices each resource in its provider's region and warns once per region without prices", () => {
        const eip = (name: string, region?: string) => res("aws:ec2/eip:Eip", { tags }, name, region ? { providerProps: { region } } : {});
        const e = estimate([eip("us"), eip("eu", "eu-west-1"), eip("x", "ap-south-9"), eip("y", "ap-south-9")]);
        const usd = UNIT_PRICES.publicIpv4PerHour * HOURS_PER_MONTH;
        close(e.lines[0].monthly.max, usd);
        close(e.lines[1].monthly.max, usd * EU);
        assert.deepEqual(e.warnings, ["region ap-south-9 has no prices in the catalog: priced lines show 0 and are marked unpriced"]);
        assert.deepEqual(estimate([], "ap-south-9").warnings, ["region ap-south-9 has no prices in the catalog: priced lines show 0 and are marked unpriced"]);
    });

    it("totals per team with budgets shown, teams with a budget but no lines included", () => {
        const e = estimate([res("aws:kms/key:Key", { tags: { team: "a" } }, "k1"), res("aws:kms/key:Key", { tags: { team: "a" } }, "k2")], "us-east-1", { budgets: { a: 10, b: 5 } });
        assert.deepEqual(e.byTeam, { a: { min: 2, expected: 2, max: 2, budget: 10 }, b: { min: 0, expected: 0, max: 0, budget: 5 } });
        assert.deepEqual(e.monthly, { min: 2, expected: 2, max: 2 });
    });

    it("charges untaggable AWS resources to the platform and taggable ones without a team to `unattributed`", () => {
        assert.equal(teamOf(res("aws:cloudwatch/dashboard:Dashboard", {})), "platform");
        assert.equal(teamOf(res("aws:kms/key:Key", {})), "unattributed");
        assert.equal(teamOf(res("kubernetes:core/v1:Service", {})), "unattributed");
        assert.equal(teamOf(res("aws:kms/key:Key", { tags: { team: "t" } })), "t");
    });
});
