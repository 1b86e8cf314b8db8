// The real plan for an issue that is already loaded: the subscriber file and the send history, as
// `paperboy plan` (buildPlan) computes it, plus the subscribers themselves, whose names the
// previews greet.
import { type Context, historyPath, openSubscriberStore } from '../commands/context.js';
import { HISTORY_FILE, type Plan, type PlanInput, planIssue, readHistory } from '../plan/index.js';
import type { Subscriber } from '../types.js';

export interface SubscriberPlan {
  plan: Plan;
  subscribers: Subscriber[];
  /** The subscriber file as named in messages. */
  label: string;
}

export async function planSubscribers(
  context: Context,
  input: PlanInput,
  subscribersFlag: string | undefined,
): Promise<SubscriberPlan> {
  const { store, label } = openSubscriberStore(context, subscribersFlag);
  try {
    const subscribers = await store.list();
    const history = await readHistory(historyPath(context, HISTORY_FILE));
    const plan = planIssue(input, subscribers, history, context.config.plan);
    return { plan, subscribers, label };
  } finally {
    await store.close();
  }
}
