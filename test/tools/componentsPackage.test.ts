import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");

describe("@ai-infra/components inside this repository", () => {
    it("is the package components/package.json names, with compiled JS and declarations as its exports", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "components", "package.json"), "utf8"));
        assert.equal(pkg.name, "@ai-infra/components");
        assert.equal(pkg.private, undefined);
        assert.deepEqual(pkg.exports["."], { types: "./dist/index.d.ts", default: "./dist/index.js" });
        // No `main`: a directory import of components/ in this repository must never fall through to dist/.
        assert.equal(pkg.main, undefined);
        for (const peer of ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/kubernetes", "@pulumi/random"]) assert.ok(pkg.peerDependencies[peer], peer);
    });

    it("resolves to the sources for the program and its tests, so a stale build never runs", () => {
        assert.equal(require.resolve("@ai-infra/components"), path.join(ROOT, "components", "index.ts"));
        assert.match(fs.readFileSync(path.join(ROOT, "index.ts"), "utf8"), /from "@ai-infra\/components"/);
    });
});
