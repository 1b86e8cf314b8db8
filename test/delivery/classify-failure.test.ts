import { describe, expect, it } from 'vitest';
import { classifyFailure } from '../../src/delivery/classify-failure.js';

const smtp = (fields: Record<string, unknown>) => Object.assign(new Error('failed'), fields);

describe('classifyFailure', () => {
  it.each([
    [
      '550 at RCPT TO',
      {
        responseCode: 550,
        permanent: true,
        command: 'RCPT TO',
        response: '550 5.1.1 No such user',
      },
      'permanent',
      550,
    ],
    [
      '552 at DATA',
      { responseCode: 552, permanent: true, command: 'DATA', response: '552 too big' },
      'permanent',
      552,
    ],
    [
      'a 5xx without the permanent flag',
      { responseCode: 554, command: 'DATA', response: '554 rejected' },
      'permanent',
      554,
    ],
    [
      '503 (bad sequence: a new connection fixes it)',
      { responseCode: 503, permanent: false, command: 'RCPT TO', response: '503 bad sequence' },
      'transient',
      503,
    ],
    [
      '421 throttling',
      { responseCode: 421, permanent: false, command: 'RCPT TO', response: '421 4.7.0 later' },
      'transient',
      421,
    ],
    [
      '451 greylisting',
      { responseCode: 451, permanent: false, command: 'RCPT TO', response: '451 4.7.1 greylisted' },
      'transient',
      451,
    ],
    ['a dropped connection', { code: 'ECONNECTION', command: 'CONN' }, 'transient', null],
    ['a timeout', { code: 'ETIMEDOUT' }, 'transient', null],
    ['a socket error', { code: 'ESOCKET' }, 'transient', null],
    [
      'bad credentials (535 is about us, not the reader)',
      { code: 'EAUTH', responseCode: 535, permanent: true, response: '535 bad login' },
      'fatal',
      535,
    ],
    [
      'the server refusing the sender',
      {
        code: 'EENVELOPE',
        responseCode: 550,
        permanent: true,
        command: 'MAIL FROM',
        response: '550 sender rejected',
      },
      'fatal',
      550,
    ],
    [
      'a message larger than the server takes',
      { code: 'EMESSAGE', command: 'MAIL FROM' },
      'fatal',
      null,
    ],
    ['an outbox that cannot be written', { code: 'EOUTBOX' }, 'fatal', null],
  ])('%s', (_name, fields, kind, code) => {
    expect(classifyFailure(smtp(fields))).toMatchObject({ kind, code });
  });

  it("reads the recipient's own reply when every recipient was rejected", () => {
    const error = smtp({
      code: 'EENVELOPE',
      command: 'RCPT TO',
      responseCode: 550,
      permanent: true,
      response: '550 last reply',
      rejectedErrors: [
        smtp({ responseCode: 452, permanent: false, response: '452 4.2.2 mailbox full' }),
      ],
    });
    expect(classifyFailure(error)).toEqual({
      kind: 'transient',
      code: 452,
      response: '452 4.2.2 mailbox full',
    });
  });

  it('keeps a reply to one line', () => {
    const error = smtp({ responseCode: 550, response: '550-5.1.1 first\r\n550 5.1.1 second' });
    expect(classifyFailure(error).response).toBe('550-5.1.1 first 550 5.1.1 second');
  });
});
