// What can be previewed for an issue: the all-topics digest, one digest per topic, and the
// segments of the real plan. Pure: issues, topics and plans in, targets out.
//
// The issue-wide previews plan stand-in subscribers with planIssue and an empty history, so they
// show exactly what a new subscriber with those settings would get; the plan's segments are what
// the send step will render.
import {
  emptyHistory,
  type Plan,
  type PlanInput,
  type PlanOptions,
  planIssue,
} from '../plan/index.js';
import { findSkipped } from '../plan/skipped-list.js';
import type { Segment, SkippedSubscriber } from '../plan/types.js';
import type { Subscriber, Topic } from '../types.js';

/** Who a preview is addressed to. */
export interface PreviewRecipient {
  subscriberId: string;
  email: string;
  name: string | null;
}

export interface PreviewTarget {
  /** URL- and file-name-safe: `all`, `topic-graphs`, `topics-<segment id>`, or a plan segment id. */
  key: string;
  kind: 'all' | 'topic' | 'topics' | 'segment';
  /** How the preview page names it: "All topics", "Graph learning & GNNs", "graphs, rl". */
  label: string;
  segment: Segment;
  /** The plan's recipients, or the stand-in reader of an issue-wide preview. First is the default. */
  recipients: PreviewRecipient[];
}

/** A stand-in reader: daily, no keywords, the configured paper cap. */
export function previewSubscriber(
  id: string,
  email: string,
  topics: string[] | 'all',
  name: string | null = null,
): Subscriber {
  return {
    id,
    email,
    name,
    topics,
    keywords: { include: [], exclude: [] },
    maxPapers: null,
    frequency: 'daily',
    weekday: null,
    status: 'active',
    subscribedAt: '1970-01-01T00:00:00.000Z',
    updatedAt: '1970-01-01T00:00:00.000Z',
    unsubscribedAt: null,
  };
}

/**
 * The digest a new daily subscriber to `topics` would get. Planned with `sendEmpty`, so topics
 * with nothing today still preview (as the "nothing on your topics" note).
 */
export function planTopicsPreview(
  input: PlanInput,
  topics: string[] | 'all',
  allTopics: readonly Topic[],
  options: PlanOptions,
  address: string,
): PreviewTarget {
  const reader = previewSubscriber('sub_preview', address, topics);
  const plan = planIssue(input, [reader], emptyHistory(), { ...options, sendEmpty: true });
  const segment = plan.segments[0];
  if (!segment) throw new Error('a preview plan without its segment');
  const names = new Map(allTopics.map((topic) => [topic.id, topic.name]));
  const all = topics === 'all';
  return {
    key: all ? 'all' : `topics-${segment.id}`,
    kind: all ? 'all' : 'topics',
    label: all ? 'All topics' : topics.map((id) => names.get(id) ?? id).join(', '),
    segment,
    recipients: [{ subscriberId: reader.id, email: reader.email, name: null }],
  };
}

/** The all-topics digest, then one per topic that has papers today, in taxonomy order. */
export function listIssuePreviews(
  input: PlanInput,
  topics: readonly Topic[],
  options: PlanOptions,
  address: string,
): PreviewTarget[] {
  const all = planTopicsPreview(input, 'all', topics, options, address);
  const readers = topics.map((topic) =>
    previewSubscriber(`sub_preview_${topic.id}`, address, [topic.id]),
  );
  // One plan for every topic: planIssue groups the stand-ins into one segment each.
  const plan = planIssue(input, readers, emptyHistory(), { ...options, sendEmpty: false });
  const bySubscriber = new Map(
    plan.segments.flatMap((segment) =>
      Array.from(segment.recipients, (r) => [r.subscriberId, segment] as const),
    ),
  );
  const perTopic = topics.flatMap((topic, index): PreviewTarget[] => {
    const reader = readers[index] as Subscriber;
    const segment = bySubscriber.get(reader.id);
    if (!segment) return [];
    return [
      {
        key: `topic-${topic.id}`,
        kind: 'topic',
        label: topic.name,
        segment,
        recipients: [{ subscriberId: reader.id, email: reader.email, name: null }],
      },
    ];
  });
  return [all, ...perTopic];
}

/** The plan's segments, each addressed to its real recipients (names from the subscriber list). */
export function listPlanPreviews(
  plan: Plan,
  subscribers: readonly Subscriber[],
  topics: readonly Topic[],
): PreviewTarget[] {
  const names = new Map(topics.map((topic) => [topic.id, topic.name]));
  const byId = new Map(subscribers.map((subscriber) => [subscriber.id, subscriber]));
  return plan.segments.map((segment) => ({
    key: segment.id,
    kind: 'segment',
    label: describeSettings(segment, names),
    segment,
    recipients: Array.from(segment.recipients, (r) => ({
      subscriberId: r.subscriberId,
      email: r.email,
      name: byId.get(r.subscriberId)?.name ?? null,
    })),
  }));
}

function describeSettings(segment: Segment, names: Map<string, string>): string {
  const { topics, keywords, frequency, weekday } = segment.settings;
  const parts = [
    topics === 'all' ? 'All topics' : topics.map((id) => names.get(id) ?? id).join(', '),
  ];
  if (keywords.include.length > 0) parts.push(`+ ${keywords.include.join(', ')}`);
  if (keywords.exclude.length > 0) parts.push(`− ${keywords.exclude.join(', ')}`);
  if (frequency === 'weekly') parts.push(`weekly (${weekday})`);
  return parts.join(' · ');
}

/** Where a subscriber stands in a plan: their segment, or why they get nothing. */
export type SubscriberPreview =
  | { kind: 'segment'; target: PreviewTarget; recipient: PreviewRecipient }
  | { kind: 'skipped'; skipped: SkippedSubscriber };

export function findSubscriberPreview(
  plan: Plan,
  subscriber: Subscriber,
  topics: readonly Topic[],
): SubscriberPreview | null {
  const target = listPlanPreviews(plan, [subscriber], topics).find((candidate) =>
    candidate.recipients.some((r) => r.subscriberId === subscriber.id),
  );
  const recipient = target?.recipients.find((r) => r.subscriberId === subscriber.id);
  if (target && recipient) return { kind: 'segment', target, recipient };
  const skipped = findSkipped(plan.skipped, subscriber.id);
  return skipped ? { kind: 'skipped', skipped } : null;
}
