import { describe, expect, it } from 'vitest';
import { hashEmail, isEmailAddress, normalizeEmail } from '../../src/subscribers/email.js';
import {
  formatFrequency,
  formatKeywordList,
  formatTopicList,
  InvalidSettingError,
  parseFrequency,
  parseKeywordList,
  parseMaxPapers,
  parseTopicList,
} from '../../src/subscribers/settings-text.js';

describe('email addresses', () => {
  it.each([
    [' Ada@Example.ORG ', 'ada@example.org'],
    ['ada@example.org', 'ada@example.org'],
    ['Ada.Lovelace+News@Example.org', 'ada.lovelace+news@example.org'],
  ])('normalizes %j to %j', (input, expected) => {
    expect(normalizeEmail(input)).toBe(expected);
  });

  it.each([
    ['ada@example.org', true],
    ['ada.lovelace+news@mail.example.co.uk', true],
    ['ada@', false],
    ['ada@example', false],
    ['@example.org', false],
    ['ada example@example.org', false],
    ['', false],
  ])('%j is an address: %s', (input, expected) => {
    expect(isEmailAddress(input)).toBe(expected);
  });

  it('hashes the normalized address with plain sha256', () => {
    // As `printf %s ada@example.org | sha256sum` gives it: anyone can recompute it.
    expect(hashEmail(' ADA@example.org')).toBe(
      'cfe00dde46ef942601ffafb9e2825e802858b460e586b8305b344c1eb826357d',
    );
    expect(hashEmail('ada@example.org')).toMatch(/^[0-9a-f]{64}$/);
    expect(hashEmail('ada@example.org')).not.toBe(hashEmail('grace@example.org'));
  });
});

describe('topic lists', () => {
  it.each([
    ['graphs,time-series', ['graphs', 'time-series']],
    [' graphs ; time-series ', ['graphs', 'time-series']],
    ['graphs time-series, llm', ['graphs', 'time-series', 'llm']],
    ['graphs,graphs', ['graphs']],
    ['all', 'all'],
    ['ALL', 'all'],
    ['', []],
  ])('reads %j', (text, expected) => {
    expect(parseTopicList(text)).toEqual(expected);
  });

  it('refuses "all" with other ids', () => {
    expect(() => parseTopicList('all,llm')).toThrow(InvalidSettingError);
  });

  it('formats', () => {
    expect(formatTopicList(['graphs', 'llm'])).toBe('graphs, llm');
    expect(formatTopicList(['graphs', 'llm'], ' ')).toBe('graphs llm');
    expect(formatTopicList('all')).toBe('all');
  });
});

describe('keyword lists', () => {
  it('reads includes and "-" excludes, and formats them back', () => {
    const keywords = parseKeywordList('phrase, other phrase, -excluded phrase, - spaced,, +plus');
    expect(keywords).toEqual({
      include: ['phrase', 'other phrase', 'plus'],
      exclude: ['excluded phrase', 'spaced'],
    });
    expect(formatKeywordList(keywords)).toBe(
      'phrase, other phrase, plus, -excluded phrase, -spaced',
    );
    expect(parseKeywordList(formatKeywordList(keywords))).toEqual(keywords);
  });

  it('refuses a lone "-"', () => {
    expect(() => parseKeywordList('a, -')).toThrow(/"-" is not a phrase/);
  });
});

describe('frequency', () => {
  it.each([
    ['daily', { frequency: 'daily', weekday: null }],
    ['weekly:monday', { frequency: 'weekly', weekday: 'monday' }],
    ['Weekly: Friday', { frequency: 'weekly', weekday: 'friday' }],
    ['weekly sunday', { frequency: 'weekly', weekday: 'sunday' }],
    ['weekly:tue', { frequency: 'weekly', weekday: 'tuesday' }],
  ])('reads %j', (text, expected) => {
    expect(parseFrequency(text)).toEqual(expected);
  });

  it.each([
    ['weekly', /weekly needs a weekday, e.g. weekly:monday/],
    ['weekly:munday', /unknown weekday "munday" \(did you mean "monday"\?\)/],
    ['weekly:t', /unknown weekday "t"/],
    ['monthly', /"monthly" is not daily or weekly:<weekday>/],
    ['daily:monday', /is not daily or weekly/],
  ])('refuses %j', (text, message) => {
    expect(() => parseFrequency(text)).toThrow(message);
  });

  it('formats', () => {
    expect(formatFrequency({ frequency: 'weekly', weekday: 'monday' })).toBe('weekly:monday');
    expect(formatFrequency({ frequency: 'daily', weekday: null })).toBe('daily');
  });
});

describe('max papers', () => {
  it('reads 1 to 100', () => {
    expect(parseMaxPapers('1')).toBe(1);
    expect(parseMaxPapers(' 100 ')).toBe(100);
  });

  it.each(['0', '101', '2.5', 'ten', '', '-3'])('refuses %j', (text) => {
    expect(() => parseMaxPapers(text)).toThrow(/whole number of papers from 1 to 100/);
  });
});
