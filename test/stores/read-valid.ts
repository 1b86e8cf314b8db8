import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { readSubscriberFile, serializeSubscriberFile } from '../../src/stores/subscriber-file.js';
import { defaultTopics } from '../../src/topics/default-taxonomy.js';

export const TOPIC_IDS = defaultTopics.map((topic) => topic.id);

/** Reads and validates the file as a store would; returns the data. */
export function readValid(path: string) {
  const text = readFileSync(path, 'utf8');
  const data = readSubscriberFile(text, path, TOPIC_IDS);
  // Whole, and in the layout paperboy writes: never a half-written file.
  expect(serializeSubscriberFile(data)).toBe(text);
  return data;
}
