// The benchmark's correctness checks on the messages the sink kept: a fast wrong path must not
// win. Each sampled message is parsed (mailparser) and must be addressed to a planned recipient,
// carry exactly the papers of that recipient's segment, their own valid unsubscribe link, the
// one-click header and the Message-ID the ledger expects.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { Plan } from '../src/plan/index.js';
import { EMAIL_PAPER_LIMIT } from '../src/render/index.js';
import { type Keyring, verifyToken } from '../src/tokens/link-token.js';
import type { Paper } from '../src/types.js';

export interface SampleCheck {
  checked: number;
  problems: string[];
}

export async function checkSample(
  dir: string,
  plan: Plan,
  papers: ReadonlyMap<string, Paper>,
  keyring: Keyring,
  senderDomain: string,
): Promise<SampleCheck> {
  const byEmail = new Map<string, { subscriberId: string; paperIds: string[] }>();
  for (const segment of plan.segments) {
    const paperIds = segment.papers.slice(0, EMAIL_PAPER_LIMIT).map((p) => p.paperId);
    for (const r of segment.recipients) {
      byEmail.set(r.email.toLowerCase(), { subscriberId: r.subscriberId, paperIds });
    }
  }
  const problems: string[] = [];
  const files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
  for (const file of files) {
    const mail = await simpleParser(readFileSync(join(dir, file)));
    const to = (Array.isArray(mail.to) ? mail.to[0] : mail.to)?.value[0]?.address?.toLowerCase();
    const planned = to ? byEmail.get(to) : undefined;
    const problem = (what: string) => problems.push(`${file}: ${what}`);
    if (!planned) {
      problem(`addressed to ${to}, who is not a planned recipient`);
      continue;
    }
    // The text part lists the papers as numbered lines ("3. Title"), in the segment's order.
    const listed = [...(mail.text ?? '').matchAll(/^\d+\. (.+)$/gm)].map((m) => m[1]);
    const expected = planned.paperIds.map((id) => papers.get(id)?.title);
    if (listed.join('\n') !== expected.join('\n')) {
      problem(`papers ${JSON.stringify(listed)} instead of ${JSON.stringify(expected)}`);
    }
    for (const id of planned.paperIds) {
      const title = papers.get(id)?.title ?? '';
      const escaped = title.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      if (
        !(mail.html || '').includes(escaped.replace(/"/g, '&quot;')) &&
        !(mail.html || '').includes(escaped)
      ) {
        problem(`the HTML part lacks "${title}"`);
      }
    }
    // The raw header lines: mailparser folds the List-* headers into one parsed `list` object.
    const header = (name: string) =>
      mail.headerLines
        .filter((h) => h.key === name)
        .map((h) =>
          h.line
            .slice(h.line.indexOf(':') + 1)
            .replace(/\r?\n[ \t]+/g, ' ')
            .trim(),
        );
    const unsubscribe = header('list-unsubscribe').join(', ');
    const token = /\/unsubscribe\/([^>\s]+)>/.exec(unsubscribe)?.[1];
    if (!token || verifyToken(keyring, 'unsubscribe', token) !== planned.subscriberId) {
      problem(`List-Unsubscribe does not unsubscribe ${planned.subscriberId}: ${unsubscribe}`);
    }
    if (header('list-unsubscribe').length !== 1) problem('not exactly one List-Unsubscribe header');
    if (header('list-unsubscribe-post').join() !== 'List-Unsubscribe=One-Click') {
      problem('no List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    }
    if (mail.messageId !== `<${plan.date}.${planned.subscriberId}@${senderDomain}>`) {
      problem(`Message-ID ${mail.messageId}`);
    }
  }
  return { checked: files.length, problems };
}
