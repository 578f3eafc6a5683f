// The public API of ai-infra's components, for the program and for teams reusing them in their own stacks.
export * from "./budgetHold/budgetHold";
export { Clients as BudgetHoldClients, hold, HOLD_PROCESSES, HOLD_TAG, HoldRecord, release, Report as BudgetHoldReport } from "./budgetHold/hold";
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
export * from "./network";
export * from "./platform";
export * from "./tags";
