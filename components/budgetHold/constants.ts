/** The budget hold's names, kept apart from hold.ts so the program can use them without loading the AWS SDK. */

/** ASG tag holding what the hold changed, so that release restores exactly that. */
export const HOLD_TAG = "ai-infra/budget-hold";
/** Node group tag naming the team that pays for it (the chargeback `team` tag). */
export const TEAM_TAG = "team";
/** Processes the hold suspends: every launch, and the schedules that would otherwise move sizes. */
export const HOLD_PROCESSES = ["Launch", "ScheduledActions"] as const;
