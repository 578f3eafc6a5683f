// The public API of ai-infra's components, for the program and for teams reusing them in their own stacks.
export * from "./budgets";
export * from "./cache";
export * from "./catalog";
export * from "./cluster";
export * from "./config";
export * from "./gateway";
export * from "./gpuNodeGroup";
export * from "./gpuScheduling";
export * from "./kubeconfig";
export * from "./launchTemplate";
export * from "./monitoring";
export * from "./names";
export * from "./network";
export * from "./platform";
export * from "./tags";
