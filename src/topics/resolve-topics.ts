// The topics in effect: the default taxonomy plus the user's overrides from the config file.
//
//   topics:
//     graphs: { terms: ["graph foundation model"] }            # extends the default rules
//     vision: { acronyms: ["SAM"], description: "..." }        # name/description override
//     llm: { terms: ["language model"], replace: true }        # the rules are exactly these
//     quantum: { name: "Quantum ML", terms: ["quantum"] }      # a new topic
//
// A new topic goes before the cross-cutting topics (safety, efficiency, theory, datasets) so that,
// like every specific topic, it is listed before them on a paper.

import { PaperboyError } from '../errors.js';
import type { Topic } from '../types.js';
import { patternRegExp } from './classify.js';
import { defaultTopics, GENERIC_TOPIC_IDS } from './default-taxonomy.js';
import { suggestClosest } from './suggest.js';

export interface TopicOverride {
  name?: string;
  description?: string;
  terms?: string[];
  acronyms?: string[];
  patterns?: string[];
  /** When true, the given rule lists are the topic's rules; lists not given are emptied. */
  replace?: boolean;
}

export type TopicsConfig = Record<string, TopicOverride>;

export const TOPIC_ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

const RULE_KEYS = ['terms', 'acronyms', 'patterns'] as const;
type RuleKey = (typeof RULE_KEYS)[number];
const OVERRIDE_KEYS = ['name', 'description', ...RULE_KEYS, 'replace'] as const;

function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const suggestion = suggestClosest(input, candidates);
  return suggestion === undefined ? undefined : `did you mean "${suggestion}"?`;
}

function readOverride(value: unknown, at: string): TopicOverride {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PaperboyError(
      'config',
      `${at}: expected an object with name, description, terms, acronyms, patterns or replace`,
    );
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!(OVERRIDE_KEYS as readonly string[]).includes(key)) {
      throw new PaperboyError('config', `${at}: unknown key "${key}"`, {
        hint: didYouMean(key, OVERRIDE_KEYS) ?? `known keys: ${OVERRIDE_KEYS.join(', ')}`,
      });
    }
  }
  const override: TopicOverride = {};
  for (const key of ['name', 'description'] as const) {
    const text = record[key];
    if (text === undefined) continue;
    if (typeof text !== 'string' || text.trim() === '') {
      throw new PaperboyError('config', `${at}.${key}: expected a non-empty string`);
    }
    override[key] = text.trim();
  }
  for (const key of RULE_KEYS) {
    const list = record[key];
    if (list === undefined) continue;
    if (!Array.isArray(list))
      throw new PaperboyError('config', `${at}.${key}: expected a list of strings`);
    override[key] = list.map((item, index) => {
      if (typeof item !== 'string' || item.trim() === '') {
        throw new PaperboyError('config', `${at}.${key}[${index}]: expected a non-empty string`);
      }
      return key === 'patterns' ? item : item.trim();
    });
  }
  if (record.replace !== undefined) {
    if (typeof record.replace !== 'boolean') {
      throw new PaperboyError('config', `${at}.replace: expected true or false`);
    }
    override.replace = record.replace;
  }
  return override;
}

function checkPatterns(patterns: readonly string[], at: string): void {
  for (const pattern of patterns) {
    try {
      patternRegExp(pattern);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new PaperboyError(
        'config',
        `${at}.patterns: invalid regular expression "${pattern}": ${reason}`,
        {
          cause: error,
        },
      );
    }
  }
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

function ruleCount(topic: Pick<Topic, RuleKey>): number {
  return topic.terms.length + topic.acronyms.length + topic.patterns.length;
}

function cloneTopic(topic: Topic): Topic {
  return {
    ...topic,
    terms: [...topic.terms],
    acronyms: [...topic.acronyms],
    patterns: [...topic.patterns],
  };
}

/**
 * The default topics with `config` applied. `source` names the config file in error messages.
 * Throws PaperboyError('config') naming the topic for anything invalid.
 */
export function resolveTopics(config: TopicsConfig | undefined, source = 'config'): Topic[] {
  const topics = defaultTopics.map(cloneTopic);
  if (config === undefined || config === null) return topics;
  if (typeof config !== 'object' || Array.isArray(config)) {
    throw new PaperboyError(
      'config',
      `${source}: topics: expected an object mapping topic ids to settings`,
    );
  }
  const added: Topic[] = [];
  for (const [id, value] of Object.entries(config)) {
    const at = `${source}: topics.${id}`;
    const override = readOverride(value, at);
    checkPatterns(override.patterns ?? [], at);
    const existing = topics.find((topic) => topic.id === id);
    if (existing) {
      if (override.name !== undefined) existing.name = override.name;
      if (override.description !== undefined) existing.description = override.description;
      for (const key of RULE_KEYS) {
        const given = override[key] ?? [];
        existing[key] = unique(override.replace ? given : [...existing[key], ...given]);
      }
      if (ruleCount(existing) === 0) {
        throw new PaperboyError('config', `${at}: replace: true leaves the topic without rules`, {
          hint: 'give at least one of terms, acronyms or patterns',
        });
      }
      continue;
    }
    const known = didYouMean(
      id,
      topics.map((topic) => topic.id),
    );
    if (!TOPIC_ID_PATTERN.test(id)) {
      throw new PaperboyError(
        'config',
        `${at}: invalid topic id; use lower-case letters, digits and "-"`,
        { hint: known },
      );
    }
    if (override.name === undefined) {
      throw new PaperboyError('config', `${at}: a new topic needs a name`, {
        hint: known
          ? `${known} To add a topic, give it a name and at least one rule.`
          : 'give it a name and at least one of terms, acronyms or patterns',
      });
    }
    const topic: Topic = {
      id,
      name: override.name,
      description: override.description ?? override.name,
      terms: unique(override.terms ?? []),
      acronyms: unique(override.acronyms ?? []),
      patterns: unique(override.patterns ?? []),
    };
    if (ruleCount(topic) === 0) {
      throw new PaperboyError('config', `${at}: a new topic needs at least one rule`, {
        hint: 'give at least one of terms, acronyms or patterns',
      });
    }
    added.push(topic);
  }
  const firstGeneric = topics.findIndex((topic) => GENERIC_TOPIC_IDS.includes(topic.id));
  topics.splice(firstGeneric === -1 ? topics.length : firstGeneric, 0, ...added);
  return topics;
}

/**
 * Throws PaperboyError('config') when an id is not a topic: `unknown topic "grpahs" in <where>`,
 * with a "did you mean" hint and the known ids.
 */
export function assertKnownTopicIds(
  ids: readonly string[],
  topics: readonly Topic[],
  where: string,
): void {
  const known = topics.map((topic) => topic.id);
  const unknown = unique(ids.filter((id) => !known.includes(id)));
  if (unknown.length === 0) return;
  const suggestions = unknown.flatMap((id) => {
    const suggestion = suggestClosest(id, known);
    return suggestion === undefined
      ? []
      : [unknown.length === 1 ? `"${suggestion}"` : `"${suggestion}" for "${id}"`];
  });
  const list = `Known topics: ${known.join(', ')}`;
  const message =
    unknown.length === 1
      ? `unknown topic "${unknown[0]}" in ${where}`
      : `unknown topics ${unknown.map((id) => `"${id}"`).join(', ')} in ${where}`;
  throw new PaperboyError('config', message, {
    hint: suggestions.length > 0 ? `did you mean ${suggestions.join(', ')}? ${list}` : list,
  });
}
