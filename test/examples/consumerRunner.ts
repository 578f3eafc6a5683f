// Runs a consumer program (argument: its folder) under the plan's mock runtime and prints what it
// registered as JSON. Started in a child process without tools/componentsFromSource.js, so the program's
// `@ai-infra/components` is whatever is installed beside it, exactly as in a consumer's checkout.
import * as path from "path";
import { runProgram } from "../../plan/mockRuntime";

async function main(): Promise<void> {
    const dir = path.resolve(process.argv[2]);
    const run = await runProgram({
        project: "vision-gpus",
        stack: "dev",
        region: "us-east-1",
        secretKeys: [],
        config: {
            "aws:region": "us-east-1",
            "vision-gpus:environment": "dev",
            "vision-gpus:clusterName": "ai-dev",
            "vision-gpus:nodeRoleArn": "arn:aws:iam::123456789012:role/ai-dev-gpu-nodes",
            "vision-gpus:subnetIds": JSON.stringify(["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]),
        },
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        program: async () => ({ ...require(path.join(dir, "index.ts")) }),
    });
    const components = require.resolve("@ai-infra/components", { paths: [dir] });
    process.stdout.write(JSON.stringify({ components, resources: run.resources, outputs: run.outputs }));
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
