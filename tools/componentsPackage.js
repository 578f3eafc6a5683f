"use strict";
// Inside this repository, the package `components/package.json` describes (`@ai-infra/components`) is
// its sources, never a compiled `components/dist/`: the program imports the components by the name every
// other program uses, so the two cannot drift, and what runs is always the code beside it, never a stale
// build. Outside the repository (a consumer, or the consumer example's install under `.scratch/`),
// nothing changes: Node resolves the name to the installed package's `exports`.
//
// Node offers no per-directory module mapping for bare names that ignores node_modules (a worktree may
// share another checkout's node_modules), hence a resolver hook; TypeScript's view is tsconfig `paths`.

const Module = require("module");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const NAME = require(path.join(ROOT, "components", "package.json")).name;
/** Files that get the repository's own components: everything under ROOT but installed or scratch copies. */
const OUTSIDE = new Set(["node_modules", ".scratch", "examples"]);

function inRepository(parent) {
    const file = parent && parent.filename;
    if (!file) return false;
    const rel = path.relative(ROOT, file);
    if (rel.startsWith("..") || path.isAbsolute(rel)) return false;
    return !rel.split(path.sep).some((part) => OUTSIDE.has(part));
}

let mappedTo;

/** Resolve `@ai-infra/components` from this repository's files to `<componentsDir>/index`. */
function register(componentsDir) {
    if (mappedTo !== undefined) {
        if (mappedTo !== componentsDir) throw new Error(`${NAME} is already mapped to ${mappedTo}`);
        return;
    }
    mappedTo = componentsDir;
    const original = Module._resolveFilename;
    Module._resolveFilename = function resolveComponents(request, parent, ...rest) {
        if (request === NAME && inRepository(parent)) request = path.join(componentsDir, "index");
        return original.call(this, request, parent, ...rest);
    };
}

module.exports = { register, NAME, ROOT };
