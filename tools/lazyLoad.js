"use strict";
// The Pulumi SDK requires TypeScript (9 MB, for closure serialisation's function parser) and
// @npmcli/arborist with ~300 dependent modules (for computing a closure's package paths) when
// `@pulumi/pulumi` is first loaded, though only `pulumi.runtime.serializeFunction` ever uses them and
// neither the program nor the plan calls it (../shared/reviews/2026-11-26/perf.md, section a: together
// ~40 % of the modules a plan loads). Hand the SDK a stand-in that loads the real module on first use,
// so behaviour is unchanged and the cost is paid only by a program that serialises a closure.

const Module = require("module");

/**
 * Module requests the SDK makes at load time that only closure serialisation (and the automation API) needs, with how the SDK
 * imports each: `star` through `__importStar` (which returns an ES-module-looking object as it is),
 * `default` through `__importDefault` (which wraps a CommonJS module as `{ default: module }` and calls it),
 * `plain` through a bare `require`.
 */
const DEFERRED = new Map([
    ["typescript", "plain"],
    ["../../typescript-shim", "plain"],
    ["./typescript-shim", "plain"],
    ["@npmcli/arborist", "star"],
    ["normalize-package-data", "default"],
    // `pulumi.automation` (driving the CLI from code: semver, js-yaml, cross-spawn, ...), exported eagerly
    // by the SDK's index; a program run by the engine or the plan never drives the CLI.
    ["./automation", "star"],
]);
const path = require("path");
const SDK_DIR = `${path.sep}@pulumi${path.sep}pulumi${path.sep}`;

/** A stand-in for a module that loads it on first use; `interop` answers the import helpers without loading it. */
function lazy(load, interop) {
    let real;
    const target = () => (real === undefined ? (real = load()) : real);
    return new Proxy(function deferredModule() {}, {
        get: (_t, prop) => (prop === "__esModule" ? interop !== "default" : Reflect.get(target(), prop)),
        has: (_t, prop) => Reflect.has(target(), prop),
        ownKeys: () => Reflect.ownKeys(target()),
        getOwnPropertyDescriptor: (_t, prop) => {
            const d = Reflect.getOwnPropertyDescriptor(target(), prop);
            return d === undefined ? undefined : { ...d, configurable: true };
        },
        set: (_t, prop, value) => Reflect.set(target(), prop, value),
        apply: (_t, self, args) => Reflect.apply(target(), self, args),
    });
}

let installed = false;

/**
 * Providers' index files that load every service module up front: `@pulumi/aws` requires ~250
 * (`const ec2 = __importStar(require("./ec2"))`, each registering its resource modules) and
 * `@pulumi/kubernetes` ~30 API groups, where a program uses a handful. Each such `./<service>` is handed
 * over as a stand-in that loads the real module (and registers its resources) on first use.
 */
const PROVIDER_INDEXES = ["@pulumi/aws", "@pulumi/kubernetes"].map((p) => path.join("node_modules", p, "index.js"));
/** Index requests that are not service modules (helpers, types, config; some re-exported with `__exportStar`): loaded as usual. */
const EAGER = new Set(["./utilities", "./utils", "./provider", "./tags", "./types", "./config"]);

function isProviderServiceRequest(request, parent) {
    if (!parent || !parent.filename || !/^\.\/[a-z0-9]+$/.test(request) || EAGER.has(request)) return false;
    return PROVIDER_INDEXES.some((index) => parent.filename.endsWith(index));
}

function deferUnusedSdkModules() {
    if (installed) return;
    installed = true;
    const load = Module._load;
    Module._load = function (request, parent, isMain) {
        const interop = DEFERRED.get(request);
        if (interop !== undefined && parent && parent.filename && parent.filename.includes(SDK_DIR)) {
            return lazy(() => load.call(this, request, parent, isMain), interop);
        }
        if (isProviderServiceRequest(request, parent)) {
            return lazy(() => load.call(this, request, parent, isMain), "star");
        }
        return load.call(this, request, parent, isMain);
    };
}

module.exports = { deferUnusedSdkModules, lazy };
