#!/usr/bin/env node
// `npm run mutate [-- <stryker args>]`: installs the mutation toolchain on first use, then runs StrykerJS
// from the repository root with stryker.config.json.
//
// Why a separate install: StrykerJS 10 needs Node >= 22, and the 9.x mocha runner (the last line for Node 20)
// loads mocha's `lib/cli/*.js`, which mocha 12 renamed to `.cjs` (peer range `>= 7.2 < 12`). The runner
// resolves `mocha` from its own location, so installing it here beside mocha 11 makes it load mocha 11, while
// `npm test` keeps mocha 12 from the root install. Nothing in node_modules is patched.
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const here = __dirname;
const root = path.resolve(here, "..", "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const bin = path.join(here, "node_modules", "@stryker-mutator", "core", "bin", "stryker.js");

function installedMatchesLock() {
    const lock = path.join(here, "package-lock.json");
    const stamp = path.join(here, "node_modules", ".package-lock.json");
    return fs.existsSync(bin) && fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs >= fs.statSync(lock).mtimeMs;
}

if (!installedMatchesLock()) {
    const r = spawnSync(npm, ["ci", "--no-audit", "--no-fund"], { cwd: here, stdio: "inherit" });
    if (r.status !== 0) process.exit(r.status ?? 1);
}
const r = spawnSync(process.execPath, [bin, "run", ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
process.exit(r.status ?? 1);
