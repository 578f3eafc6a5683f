import { strict as assert } from "assert";
import { Checker, showValue } from "../../components/validate";

/** The messages a single check produces, so each case states input and expected verdict only. */
function messages(run: (c: Checker) => unknown): string[] {
    const c = new Checker();
    run(c);
    return c.problems.map((p) => p.message);
}

describe("config checker (components/validate.ts)", () => {
    it("shows values as written: strings quoted, undefined named, long JSON cut at 80 characters", () => {
        assert.equal(showValue(undefined), "undefined");
        assert.equal(showValue("a b"), '"a b"');
        assert.equal(showValue("y".repeat(100)), `"${"y".repeat(100)}"`, "strings are shown whole");
        assert.equal(showValue(7), "7");
        assert.equal(showValue(null), "null");
        const exactly80 = [ "x".repeat(76) ]; // ["xxx…"] is 80 characters
        assert.equal(JSON.stringify(exactly80).length, 80);
        assert.equal(showValue(exactly80), JSON.stringify(exactly80));
        const long = ["x".repeat(77)];
        assert.equal(showValue(long), `${JSON.stringify(long).slice(0, 77)}...`);
        assert.equal(showValue(long).length, 80);
        const cyclic: Record<string, unknown> = {};
        cyclic.self = cyclic;
        assert.equal(showValue(cyclic), "[object Object]");
        assert.equal(showValue(10n), "10");
    });

    it("names a missing key as missing and a bad one by its value", () => {
        assert.deepEqual(messages((c) => c.fail("k", undefined, "must be x")), ["k: missing: required, must be x"]);
        assert.deepEqual(messages((c) => c.fail("k", "v", "must be x")), ['k: "v" is not allowed: must be x']);
    });

    it("objects: rejects null, scalars and arrays, and every unknown key", () => {
        for (const bad of [null, 3, "s", [1]]) {
            assert.deepEqual(messages((c) => assert.equal(c.object("o", bad, ["a", "b"]), undefined)), [`o: ${showValue(bad)} is not allowed: must be an object with keys a, b`]);
        }
        assert.deepEqual(messages((c) => assert.deepEqual(c.object("o", { a: 1 }, ["a"]), { a: 1 })), []);
        assert.deepEqual(messages((c) => c.object("o", { a: 1, c: 2, d: 3 }, ["a", "b"])), [
            "o.c: unknown key: did you mean a? allowed keys are a, b",
            "o.d: unknown key: did you mean a? allowed keys are a, b",
        ]);
    });

    it("named maps: rejects non-maps and names that are not DNS labels of at most 63 characters", () => {
        for (const bad of [null, 3, "s", ["a"]]) {
            assert.deepEqual(messages((c) => assert.deepEqual(c.namedMap("m", bad, "team"), [])), [`m: ${showValue(bad)} is not allowed: must be a map of team name to settings`]);
        }
        const ok = "a".repeat(63);
        assert.deepEqual(messages((c) => assert.deepEqual(c.namedMap("m", { [ok]: 1, "a-1": 2 }, "team"), [[ok, 1], ["a-1", 2]])), []);
        for (const bad of ["a".repeat(64), "Upper", "-a", "a-", "a_b", "a.b"]) {
            assert.deepEqual(messages((c) => c.namedMap("m", { [bad]: 1 }, "team")),
                [`m.${bad}: ${JSON.stringify(bad)} is not allowed: team names must be lower-case DNS labels (a-z, 0-9, '-'), at most 63 characters`], bad);
        }
    });

    it("strings: rejects non-strings, blank strings, values outside oneOf and values not matching the pattern", () => {
        for (const bad of [undefined, 3, "", "   "]) {
            assert.equal(messages((c) => assert.equal(c.string("s", bad), undefined)).length, 1, String(bad));
        }
        assert.deepEqual(messages((c) => c.string("s", " ")), ['s: " " is not allowed: must be a non-empty string']);
        assert.deepEqual(messages((c) => c.string("s", "x", { describe: "a thing" })), []);
        assert.deepEqual(messages((c) => c.string("s", 1, { describe: "a thing" })), ["s: 1 is not allowed: must be a thing"]);
        assert.deepEqual(messages((c) => assert.equal(c.string("s", "b", { oneOf: ["a", "b"] }), "b")), []);
        assert.deepEqual(messages((c) => c.string("s", "c", { oneOf: ["a", "b"] })), ['s: "c" is not allowed: must be one of a, b']);
        assert.deepEqual(messages((c) => c.string("s", "ab", { pattern: /^a+$/ })), ['s: "ab" is not allowed: must be a non-empty string']);
        assert.deepEqual(messages((c) => c.string("s", "aa", { pattern: /^a+$/ })), []);
    });

    it("integers: min and max are inclusive, fractions and non-numbers rejected, the message names the range", () => {
        assert.deepEqual(messages((c) => { c.integer("i", 2, 2, 5); c.integer("i", 5, 2, 5); c.integer("i", 3, 2); }), []);
        assert.deepEqual(messages((c) => { c.integer("i", 1, 2, 5); c.integer("i", 6, 2, 5); }), [
            "i: 1 is not allowed: must be an integer from 2 to 5",
            "i: 6 is not allowed: must be an integer from 2 to 5",
        ]);
        assert.deepEqual(messages((c) => { c.integer("i", 1, 2); c.integer("i", 2.5, 2); c.integer("i", "3", 2); }), [
            "i: 1 is not allowed: must be an integer >= 2",
            "i: 2.5 is not allowed: must be an integer >= 2",
            'i: "3" is not allowed: must be an integer >= 2',
        ]);
        assert.deepEqual(messages((c) => c.integer("i", -1, 0, 9, "must be a digit")), ["i: -1 is not allowed: must be a digit"]);
    });

    it("numbers: rejects non-numbers, NaN and infinities before the check runs", () => {
        const seen: number[] = [];
        const check = (n: number) => { seen.push(n); return n > 0; };
        assert.deepEqual(messages((c) => { for (const bad of ["1", Number.NaN, Infinity, -Infinity, 0]) c.number("n", bad, check, "must be > 0"); }).length, 5);
        assert.deepEqual(seen, [0]);
        assert.deepEqual(messages((c) => assert.equal(c.number("n", 0.5, check, "must be > 0"), 0.5)), []);
    });

    it("booleans: only true and false", () => {
        assert.deepEqual(messages((c) => { assert.equal(c.boolean("b", false), false); assert.equal(c.boolean("b", true), true); }), []);
        assert.deepEqual(messages((c) => { c.boolean("b", "true"); c.boolean("b", 0); }), ['b: "true" is not allowed: must be true or false', "b: 0 is not allowed: must be true or false"]);
    });

    it("string lists: non-empty unless allowed, bad items reported once, duplicates named by index", () => {
        const item = (c: Checker) => (p: string, v: unknown) => c.string(p, v, { pattern: /^[a-z]+$/ });
        assert.deepEqual(messages((c) => c.stringList("l", [], item(c))), ["l: [] is not allowed: must be a non-empty list"]);
        assert.deepEqual(messages((c) => c.stringList("l", "a", item(c))), ['l: "a" is not allowed: must be a non-empty list']);
        assert.deepEqual(messages((c) => c.stringList("l", "a", item(c), { allowEmpty: true })), ['l: "a" is not allowed: must be a list']);
        assert.deepEqual(messages((c) => assert.deepEqual(c.stringList("l", [], item(c), { allowEmpty: true }), [])), []);
        const c = new Checker();
        assert.deepEqual(c.stringList("l", ["a", "B", "b", "a"], item(c)), ["a", "b"]);
        assert.deepEqual(c.problems.map((p) => p.message), ['l[1]: "B" is not allowed: must be a non-empty string', 'l[3]: "a" is not allowed: duplicates an earlier entry: list each value once']);
    });
});
