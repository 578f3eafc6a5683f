#!/usr/bin/env node
"use strict";
// Runs one of this project's TypeScript entry points (`node tools/run.js plan/cli.ts dev`) from plain
// JavaScript kept in `.build/`, a per-file transpile cache that is brought up to date on every run.
//
// Why: a plan is a pull-request gate and a local habit. Under ts-node, transpiling ~60 files on every
// start was ~45 % of the dev plan's CPU (../shared/reviews/2026-11-26/perf.md, section a). Here each file
// is transpiled once and again only when its content, the compiler options or the TypeScript version
// change, so `npm run plan` stays the only command a user types and a stale build is never run.
// Type errors are `npm run typecheck`'s job, exactly as with `ts-node --transpile-only` before.
//
// Kept in plain JavaScript on purpose: it is what makes the TypeScript runnable.

const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const OUT = path.join(ROOT, ".build");
/** Folders never compiled: dependencies, the cache itself, and code that only mocha runs (under ts-node). */
const SKIP = new Set(["node_modules", ".git", ".build", "test", "examples", "bin", "dist"]);
/** Non-TypeScript files the compiled code reads next to itself (`resolveJsonModule` imports). */
const COPIED = /\.json$/;

function sha1(data) {
    return crypto.createHash("sha1").update(data).digest("hex");
}

/** Every source under the project, relative to it: `.ts` (not `.d.ts`) and copied data files. */
function sources(dir, rel = "", out = []) {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.name.startsWith(".") && entry.isDirectory()) continue;
        const relPath = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
            if (!SKIP.has(entry.name)) sources(path.join(dir, entry.name), relPath, out);
        } else if ((entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) || (rel !== "" && COPIED.test(entry.name))) {
            out.push(relPath);
        }
    }
    return out;
}

function outputPath(rel, out = OUT) {
    return path.join(out, rel.endsWith(".ts") ? rel.slice(0, -3) + ".js" : rel);
}

/** Write through a temporary file and rename, so two runs building at once never read a half-written file. */
function writeAtomic(file, data) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
}

function readManifest(file) {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8"));
    } catch {
        return { key: "", files: {} };
    }
}

/**
 * Bring `.build/` up to date with the sources. Returns the number of files (re)written.
 * TypeScript itself is loaded only when something changed: requiring it costs ~0.5 s.
 */
function build(root = ROOT, out = OUT) {
    const manifestFile = path.join(out, "manifest.json");
    const tsconfigText = fs.readFileSync(path.join(root, "tsconfig.json"), "utf8");
    const tsVersion = JSON.parse(fs.readFileSync(require.resolve("typescript/package.json", { paths: [ROOT] }), "utf8")).version;
    const key = sha1(`${tsVersion}\n${tsconfigText}\n${fs.readFileSync(__filename, "utf8")}`);
    const manifest = readManifest(manifestFile);
    const previous = manifest.key === key ? manifest.files : {};
    const files = {};
    const stale = [];
    for (const rel of sources(root)) {
        const hash = sha1(fs.readFileSync(path.join(root, rel)));
        files[rel] = hash;
        if (previous[rel] !== hash || !fs.existsSync(outputPath(rel, out))) stale.push(rel);
    }
    // A deleted source must not live on as a compiled file that an import could still find.
    for (const rel of Object.keys(manifest.files)) {
        if (!(rel in files)) fs.rmSync(outputPath(rel, out), { force: true });
    }
    if (stale.length === 0 && Object.keys(manifest.files).length === Object.keys(files).length) return 0;
    let ts;
    let options;
    for (const rel of stale) {
        const source = fs.readFileSync(path.join(root, rel), "utf8");
        if (!rel.endsWith(".ts")) {
            writeAtomic(outputPath(rel, out), source);
            continue;
        }
        if (!ts) {
            ts = require(require.resolve("typescript", { paths: [ROOT] }));
            const parsed = ts.convertCompilerOptionsFromJson(ts.parseConfigFileTextToJson("tsconfig.json", tsconfigText).config.compilerOptions, root);
            options = { ...parsed.options, sourceMap: false, inlineSourceMap: true, inlineSources: false, declaration: false, noEmit: false };
        }
        const result = ts.transpileModule(source, { compilerOptions: options, fileName: path.join(root, rel) });
        writeAtomic(outputPath(rel, out), result.outputText);
    }
    writeAtomic(manifestFile, JSON.stringify({ key, files }));
    return stale.length;
}

module.exports = { build, sources, outputPath, OUT, ROOT };

if (require.main === module) {
    const [entry, ...args] = process.argv.slice(2);
    if (!entry || !entry.endsWith(".ts")) {
        console.error("usage: node tools/run.js <entry.ts> [args...]");
        process.exit(2);
    }
    // Node 22+ keeps V8's compiled code between runs; Node 20 has no such API and simply skips it.
    const nodeModule = require("module");
    if (typeof nodeModule.enableCompileCache === "function") nodeModule.enableCompileCache(path.join(ROOT, "node_modules", ".cache", "node-compile"));
    // `npm run bench` reads the peak memory and CPU of the process it measures from here.
    const usageFile = process.env.AI_INFRA_RUSAGE_FILE;
    if (usageFile) process.on("exit", () => fs.writeFileSync(usageFile, JSON.stringify(process.resourceUsage())));
    build();
    // The program imports `@ai-infra/components` by name: here that is the components just compiled above.
    require("./componentsPackage").register(path.join(OUT, "components"));
    require("./lazyLoad").deferUnusedSdkModules();
    process.argv = [process.argv[0], outputPath(entry), ...args];
    // As the main module, so the entry's `require.main === module` holds as under `node entry.js`.
    nodeModule.runMain(outputPath(entry));
}
