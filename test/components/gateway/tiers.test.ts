import { strict as assert } from "assert";
import { keysSecretName, planGateway, planObjects } from "../../../components/gateway";
import { chargebackLabels } from "../../../components/tags";
import { gatewayStack } from "./fixtures";
import { Outcome, permutations, RequestModel } from "./requestModel";

/**
 * The tier guarantees of the README, checked by sending requests through a model of Envoy Gateway and the
 * AI Gateway (requestModel.ts, each step citing upstream) built from the rendered objects, for every
 * creation order of the routes.
 */
const meta = { namespace: "ai-gateway", labels: chargebackLabels({ team: "platform", costCenter: "CC-P", environment: "dev", owner: "p@example.com" }) };
const KEYS: Record<string, string> = { search: "key-of-search", "ml-research": "key-of-ml-research" };
const MODELS = ["llama", "claude", "gpt-4o-mini"];

function setup(overrides: Record<string, unknown> = {}) {
    const config = gatewayStack(overrides);
    const plan = planGateway({ config: config.gateway, teams: config.teams, nodeGroups: config.nodeGroups, region: "us-east-1", meta });
    const secrets = Object.fromEntries(plan.tiers.map((t) => [keysSecretName(t.tier), Object.fromEntries(t.teams.map((team) => [team, KEYS[team]]))]));
    const objects = planObjects(plan);
    const routeNames = objects.filter((o) => o.kind === "AIGatewayRoute").map((o) => o.metadata.name);
    const models = permutations(routeNames).map((order) => new RequestModel(objects, secrets, order));
    const listeners = (plan.gateway.spec as { listeners: { name: string; hostname?: string }[] }).listeners;
    /** The host name a tier's clients are told to use (the tier's listener). */
    const endpoint = (tier: string) => (listeners.find((l) => l.name === tier) ?? listeners[0]).hostname!;
    return { plan, models, endpoint };
}

const { models, endpoint } = setup();
const ordered = (m: RequestModel, i: number) => `creation order #${i}`;
const treatment = (o: Outcome | undefined) => (o && o.status === 200 ? o.treatment : undefined);

/** The header the first design routed production on; clients still send it, so it must grant nothing. */
const TIER_HEADER = "x-ai-infra-tier";
/** Headers a client may add to try for another tier or identity. */
const ATTEMPTS: Record<string, string>[] = [
    {},
    { [TIER_HEADER]: "production" },
    { [TIER_HEADER]: "batch" },
    { "x-ai-eg-model": "llama" },
    { "x-ai-eg-model": "llama", [TIER_HEADER]: "production" },
    { "x-ai-infra-team": "search", [TIER_HEADER]: "production" },
];

describe("gateway tiers (requests through the rendered objects)", () => {
    it("has more than one route creation order to try", () => assert.ok(models.length >= 2));

    it("accepts every admitted team's key on its tier's endpoint, whatever the creation order of the routes", () => {
        models.forEach((m, i) => {
            for (const [team, tier] of [["search", "production"], ["ml-research", "batch"], ["search", "batch"]]) {
                for (const model of MODELS) {
                    const out = m.send({ host: endpoint(tier), headers: {}, model }, KEYS[team]);
                    assert.equal(out?.status, 200, `${team} on the ${tier} endpoint, ${model}, ${ordered(m, i)}: ${JSON.stringify(out)}`);
                    assert.equal(out.status === 200 && out.team, team, "the verified team id is forwarded");
                }
            }
        });
    });

    it("gives a production team production treatment on its endpoint, whatever headers it sends", () => {
        models.forEach((m, i) => {
            for (const headers of ATTEMPTS) for (const model of MODELS) {
                const out = m.send({ host: endpoint("production"), headers, model }, KEYS.search);
                assert.equal(treatment(out), "tier-production", `${JSON.stringify(headers)} ${model}, ${ordered(m, i)}: ${JSON.stringify(out)}`);
            }
        });
    });

    it("never gives a batch team production treatment, whatever host and headers it sends", () => {
        const hosts = [...new Set([endpoint("production"), endpoint("batch"), ...models[0].hosts()])];
        models.forEach((m, i) => {
            for (const host of hosts) for (const headers of ATTEMPTS) for (const model of MODELS) {
                const out = m.send({ host, headers, model }, KEYS["ml-research"]);
                assert.notEqual(treatment(out), "tier-production", `${host} ${JSON.stringify(headers)} ${model}, ${ordered(m, i)}: ${JSON.stringify(out)}`);
                if (host === endpoint("production")) assert.deepEqual(out, { status: 401 }, `a batch key is not valid on the production host, ${ordered(m, i)}`);
            }
        });
    });

    it("answers 401 to an unknown or missing key on every host, before any model or route-not-found answer", () => {
        models.forEach((m, i) => {
            for (const host of m.hosts()) for (const headers of ATTEMPTS) for (const model of [...MODELS, "no-such-model"]) {
                for (const key of ["not-a-key", undefined, KEYS.search.toUpperCase()]) {
                    const out = m.send({ host, headers: { ...headers, "x-ai-infra-team": "search" }, model }, key);
                    assert.deepEqual(out, { status: 401 }, `${host} ${key} ${model}, ${ordered(m, i)}`);
                }
            }
        });
    });

    it("serves batch treatment to every admitted team on the batch endpoint", () => {
        models.forEach((m, i) => {
            for (const team of Object.keys(KEYS)) for (const headers of ATTEMPTS) {
                const out = m.send({ host: endpoint("batch"), headers, model: "llama" }, KEYS[team]);
                assert.equal(treatment(out), "tier-batch", `${team} ${JSON.stringify(headers)}, ${ordered(m, i)}: ${JSON.stringify(out)}`);
            }
        });
    });
});
