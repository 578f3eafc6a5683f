/**
 * The team's AWS Budgets action is the hard limit's source of truth: while it has run (automatically, or
 * after a person approved it), the team's GPU node groups are held; lifting the limit reverses it.
 *
 * Why read its status instead of trusting a notification: with `approval: manual` the approval in the
 * Budgets console is an `ExecuteBudgetAction` call (ExecutionType APPROVE_BUDGET_ACTION) that emits no
 * event of its own (AWS Budgets reaches EventBridge only through CloudTrail, which needs a trail), and
 * the user guide promises a notification only "that an action is pending or has already run"
 * (cost-management user guide, budgets-controls.md). So the hold Lambda reads the action's `Status`
 * (botocore budgets/2016-10-20/service-2.json, ActionStatus) whenever the action notifies it, and on a
 * schedule, and `npm run budget -- release` reverses the action so that the schedule does not hold again.
 *
 * Shipped to the Lambda with hold.ts: imports only the AWS SDK v3 the Node.js runtime provides.
 */
import { BudgetsClient, DescribeBudgetActionsForBudgetCommand, ExecuteBudgetActionCommand } from "@aws-sdk/client-budgets";

export type Approval = "manual" | "automatic";

/** What the Lambda and `npm run budget` know of a team with a hard limit. */
export interface HeldTeam {
    /** The team's monthly cost budget (`<prefix>-<team>`). */
    budgetName: string;
    approval: Approval;
}

export interface ActionState {
    actionId: string;
    status: string;
}

/**
 * Statuses in which the team's limit is in force: the action is running or has run. A failed run
 * (EXECUTION_FAILURE: the IAM deny could not be attached) still means the budget is spent and the
 * action was approved, so capacity is held all the more; PENDING (awaiting approval), STANDBY and the
 * REVERSE_* / RESET_* statuses are not in force.
 */
export const IN_FORCE = new Set(["EXECUTION_IN_PROGRESS", "EXECUTION_SUCCESS", "EXECUTION_FAILURE"]);

export const inForce = (state: ActionState | undefined): boolean => state !== undefined && IN_FORCE.has(state.status);

/**
 * A person lifted the limit this period: the action was reversed (or reset), or a reversal was tried.
 * An automatic team's notification must not hold it again then (a late retry of the 100 % notification,
 * or a notice the action sends on its own).
 */
export const lifted = (state: ActionState | undefined): boolean => state !== undefined && /^(REVERSE|RESET)_/.test(state.status);

/** The hard-limit action on the team's budget (this project creates exactly one per budget). */
export async function budgetAction(budgets: Pick<BudgetsClient, "send">, accountId: string, budgetName: string): Promise<ActionState | undefined> {
    const { Actions = [] } = await budgets.send(new DescribeBudgetActionsForBudgetCommand({ AccountId: accountId, BudgetName: budgetName }));
    if (Actions.length > 1) throw new Error(`budget ${budgetName} has ${Actions.length} actions; expected the one this project creates`);
    const a = Actions[0];
    return a?.ActionId && a.Status ? { actionId: a.ActionId, status: a.Status } : undefined;
}

/** Approve a pending action (what the console's approval does): Budgets attaches the deploy-role deny. */
export async function approve(budgets: Pick<BudgetsClient, "send">, accountId: string, budgetName: string, actionId: string): Promise<void> {
    await budgets.send(new ExecuteBudgetActionCommand({ AccountId: accountId, BudgetName: budgetName, ActionId: actionId, ExecutionType: "APPROVE_BUDGET_ACTION" }));
}

/** Reverse a run action: Budgets detaches the deny, and the status leaves the in-force set. */
export async function reverse(budgets: Pick<BudgetsClient, "send">, accountId: string, budgetName: string, actionId: string): Promise<void> {
    await budgets.send(new ExecuteBudgetActionCommand({ AccountId: accountId, BudgetName: budgetName, ActionId: actionId, ExecutionType: "REVERSE_BUDGET_ACTION" }));
}
