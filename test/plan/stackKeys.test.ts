import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { AWS_REGIONS, closest, providerNamespaces, stackKeyProblems } from "../../plan/stackKeys";
import { cli, fixture, tmp } from "./runCli";

const ROOT = path.join(__dirname, "..", "..");
const problems = (config: Record<string, string>) => stackKeyProblems({ "aws:region": "us-east-1", "ai-infra:environment": "dev", ...config }, "ai-infra", ROOT).map((p) => p.message);

describe("stack file keys outside the project's namespace", () => {
    it("knows the namespaces of the providers the project depends on", () => {
        assert.deepEqual(providerNamespaces(ROOT).sort(), ["aws", "kubernetes", "random"]);
        assert.ok(AWS_REGIONS.includes("eu-west-1") && AWS_REGIONS.includes("us-gov-west-1") && !AWS_REGIONS.includes("moon-1"));
    });

    it("accepts the bundled stacks' keys and provider keys the SDK declares", () => {
        assert.deepEqual(problems({ "aws:profile": "dev", "aws:defaultTags": "{}", "pulumi:tags": "{}", "kubernetes:context": "x" }), []);
    });

    it("requires aws:region and a real region, suggesting the nearest", () => {
        assert.deepEqual(stackKeyProblems({}, "ai-infra", ROOT).map((p) => p.message), ["aws:region: missing: required, the AWS region to deploy to and price in, e.g. us-east-1"]);
        assert.match(problems({ "aws:region": "moon-1" })[0], /^aws:region: "moon-1" is not allowed: must be an AWS region \(af-south-1, /);
        assert.match(problems({ "aws:region": "eu-wset-1" })[0], /^aws:region: "eu-wset-1" is not allowed: must be an AWS region: did you mean eu-west-1\?/);
    });

    it("refuses unknown namespaces and provider keys with a did-you-mean", () => {
        assert.deepEqual(problems({ "ai-infr:cache": "{}" }), [
            "ai-infr:cache: \"{}\" is not allowed: unknown namespace \"ai-infr\": did you mean ai-infra:cache? Known namespaces: ai-infra, pulumi, aws, kubernetes, random",
        ]);
        assert.match(problems({ "zzzzzz:x": "1" })[0], /unknown namespace "zzzzzz"\. Known namespaces: /);
        assert.deepEqual(problems({ "aws:regoin": "eu-west-1" }), ["aws:regoin: \"eu-west-1\" is not allowed: the aws provider has no config key \"regoin\": did you mean aws:region?"]);
        assert.equal(closest("ai-infr", ["ai-infra", "aws"]), "ai-infra");
        assert.equal(closest("gcp", ["ai-infra", "aws"]), undefined);
    });

    it("exits 2 from the plan for the review's cases, listing every problem at once", async () => {
        const dev = fs.readFileSync(path.join(ROOT, "stacks", "Pulumi.dev.yaml"), "utf8");
        const run = async (from: string, to: string) => {
            const f = tmp("Pulumi.dev.yaml");
            assert.ok(dev.includes(from));
            fs.writeFileSync(f, dev.replace(from, to));
            return cli(["dev", "--config-file", f]);
        };
        const regoin = await run("aws:region: us-east-1", "aws:regoin: eu-west-1");
        assert.equal(regoin.code, 2);
        assert.match(regoin.err, /aws:regoin: "eu-west-1" is not allowed: the aws provider has no config key "regoin": did you mean aws:region\?/);
        assert.match(regoin.err, /aws:region: missing: required/);
        const moon = await run("aws:region: us-east-1", "aws:region: moon-1");
        assert.equal(moon.code, 2);
        assert.match(moon.err, /aws:region: "moon-1" is not allowed: must be an AWS region/);
        const namespace = await run("ai-infra:cache:", "ai-infr:cache:");
        assert.equal(namespace.code, 2);
        assert.match(namespace.err, /ai-infr:cache: .* unknown namespace "ai-infr": did you mean ai-infra:cache\?/);
        // Stack config problems of the program's own namespace come in the same message.
        const both = await run("aws:region: us-east-1", "aws:region: moon-1\n  ai-infra:bogus: 1");
        assert.match(both.err, /aws:region: "moon-1"[\s\S]*ai-infra:bogus/);
        // A valid stack file still plans (exit 1 is the small stack's known scale-to-zero violation, not a key problem).
        assert.equal((await cli(["small", "--config-file", fixture("Pulumi.small.yaml")])).code, 1);
    });
});
