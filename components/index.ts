// The public API of ai-infra's components, for the program and for teams reusing them in their own stacks.
export * from "./budgetHold/budgetHold";
// hold.ts itself (hold, release) is imported directly: it loads the AWS SDK clients, which the program does not need.
export * from "./budgetHold/constants";
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
export * from "./modelPrices";
export * from "./modelSpend";
export * from "./monitoring";
export * from "./names";
export * from "./network";
export * from "./platform";
export * from "./tags";
