import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

const README = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");

/** `##`..`####` headings outside fenced code, with GitHub's anchors (lower case, punctuation dropped, spaces to '-', repeats numbered). */
function anchors(text: string): Set<string> {
    const seen = new Map<string, number>();
    const out = new Set<string>();
    let fence: string | undefined;
    for (const line of text.split("\n")) {
        const f = /^(```|~~~)/.exec(line);
        if (f) {
            fence = fence === undefined ? f[1] : line.startsWith(fence) ? undefined : fence;
            continue;
        }
        if (fence !== undefined) continue;
        const h = /^#{1,4} (.+)$/.exec(line);
        if (!h) continue;
        const base = h[1].toLowerCase().replace(/[^\p{L}\p{N}\- _]/gu, "").replace(/ /g, "-");
        const n = seen.get(base) ?? 0;
        seen.set(base, n + 1);
        out.add(n === 0 ? base : `${base}-${n}`);
    }
    return out;
}

describe("README", () => {
    it("keeps the two newcomer commands at the top", () => {
        const top = README.split("\n").slice(0, 30).join("\n");
        assert.ok(top.includes("npm ci && npm run plan -- dev"));
        assert.ok(top.includes("npm test"));
    });

    it("links only to sections that exist", () => {
        const known = anchors(README);
        const links = [...README.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
        assert.ok(links.length > 0);
        assert.deepEqual(links.filter((l) => !known.has(l)), []);
    });
});
