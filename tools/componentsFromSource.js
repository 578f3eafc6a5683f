"use strict";
// `--require` this (mocha, ts-node, the Pulumi CLI through Pulumi.yaml's nodeargs) so that the program's
// `import ... from "@ai-infra/components"` runs components/*.ts as they are now. See componentsPackage.js.
const path = require("path");
require("./componentsPackage").register(path.resolve(__dirname, "..", "components"));
