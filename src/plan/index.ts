// The plan step's public surface, for the commands and the send step.
export { formatPlan, planToJson } from './format-plan.js';
export {
  emptyHistory,
  historyOf,
  pruneHistory,
  recentlySent,
  recordedAndPruned,
  recordPlan,
} from './history.js';
export { HISTORY_FILE, readHistory, writeHistory, writeHistorySegments } from './history-file.js';
export { createPlanner, type Planner, planIssue, WEEK_DAYS } from './plan-issue.js';
export { type RecipientList, someRecipient } from './recipient-book.js';
export { segmentId, selectionSettings } from './segment-settings.js';
export { findSkipped, type SkippedList } from './skipped-list.js';
export type * from './types.js';
export { SKIP_REASONS } from './types.js';
