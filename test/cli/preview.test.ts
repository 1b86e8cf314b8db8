import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, it } from 'vitest';
import { SEED_DATE, SEED_PATH } from '../helpers.js';
import { ROOT, runCli } from './run-cli.js';

const EXAMPLE = join(ROOT, 'subscribers.example.json');

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'paperboy-preview-'));
}

function preview(args: string[], cwd: string) {
  return runCli(['preview', SEED_PATH, '--date', SEED_DATE, ...args], { cwd });
}

/** The header block of a raw message, unfolded, one `name: value` a line. */
function headerLines(eml: Buffer): string[] {
  const text = eml.toString('utf8');
  return text
    .slice(0, text.indexOf('\r\n\r\n'))
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n');
}

// Every case runs the built binary (~2 s to start); they are independent, so run them together.
describe.concurrent('paperboy preview', () => {
  it('writes the HTML, text and complete .eml of the all-topics digest to <dataDir>/preview', async ({
    expect,
  }) => {
    const cwd = tempDir();
    const result = await preview([], cwd);
    expect(result.code).toBe(0);
    const paths = result.stdout.trim().split('\n');
    expect(paths).toEqual(
      ['html', 'txt', 'eml'].map((ext) => join('data', 'preview', `${SEED_DATE}.${ext}`)),
    );
    const [html, text, eml] = paths.map((path) => readFileSync(join(cwd, path)));
    const mail = await simpleParser(eml as Buffer);
    expect(mail.html).toBe(html?.toString('utf8'));
    expect(mail.text).toBe(text?.toString('utf8'));
    expect(mail.subject).toMatch(/Trending papers, Oct 31$/);
    expect(mail.from?.value).toEqual([{ name: 'Trending Papers', address: 'papers@example.org' }]);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value : null).toEqual([
      { name: '', address: 'preview@example.org' },
    ]);
    expect(mail.messageId).toMatch(
      /^<preview\.2025-10-31\.seg_[0-9a-f]{12}\.sub_preview@example\.org>$/,
    );
    const lines = headerLines(eml as Buffer);
    const unsubscribe = lines.filter((line) => /^list-unsubscribe:/i.test(line));
    expect(unsubscribe).toEqual([
      'List-Unsubscribe: <https://paperboy.example.org/unsubscribe/preview>',
    ]);
    expect(lines.filter((line) => /^list-unsubscribe-post:/i.test(line))).toEqual([
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    ]);
    expect(lines.filter((line) => /^list-id:/i.test(line))).toEqual([
      'List-ID: "Trending Papers" <digest.example.org>',
    ]);
    for (const name of ['From', 'To', 'Subject', 'Date', 'Message-ID']) {
      expect(
        lines.filter((line) => line.startsWith(`${name}: `)),
        name,
      ).toHaveLength(1);
    }
    expect(text?.toString('utf8')).toContain(
      'Unsubscribe: https://paperboy.example.org/unsubscribe/preview',
    );
    // The defaults work, and say what is missing before anything can be sent.
    expect(result.stderr).toMatch(/^warning: sender\.postalAddress is not set/m);
    expect(result.stderr).toMatch(/^warning: baseUrl is the placeholder/m);
    expect(html?.toString('utf8')).toContain('[postal address not configured');
  });

  it("previews a subscriber's email from the real plan, greeting them by name", async ({
    expect,
  }) => {
    const cwd = tempDir();
    writeFileSync(
      join(cwd, 'paperboy.config.json'),
      JSON.stringify({
        baseUrl: 'https://papers.example.org/',
        sender: {
          address: 'digest@papers.example.org',
          replyTo: 'editor@example.org',
          postalAddress: '548 Market St #12345, San Francisco, CA 94104',
        },
      }),
    );
    const out = join(cwd, 'out');
    const result = await preview(
      ['--subscriber', 'ADA@example.org', '--subscribers', EXAMPLE, '--out', out],
      cwd,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const paths = result.stdout.trim().split('\n');
    expect(paths[0]).toMatch(new RegExp(`^${out}/${SEED_DATE}-seg_[0-9a-f]{12}\\.html$`));
    const mail = await simpleParser(readFileSync(paths[2] as string));
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value : null).toEqual([
      { name: 'Ada Lovelace', address: 'ada@example.org' },
    ]);
    expect(mail.replyTo?.value[0]?.address).toBe('editor@example.org');
    expect(mail.html).toContain('Hi Ada Lovelace,');
    expect(mail.html).toContain('548 Market St #12345');
    expect(mail.html).toContain('href="https://papers.example.org/preferences/preview"');
    expect(mail.subject).toMatch(/Trending papers, Oct 31$/);
    expect(mail.text).toMatch(/on Graph learning & GNNs and Time series & forecasting today/);
    expect(mail.headers.get('list')).toMatchObject({
      unsubscribe: { url: 'https://papers.example.org/unsubscribe/preview' },
      id: { id: 'digest.papers.example.org' },
    });
  });

  it('writes nothing for a subscriber who gets no email, and says why', async ({ expect }) => {
    const cwd = tempDir();
    const result = await preview(
      ['--subscriber', 'alan.turing@example.org', '--subscribers', EXAMPLE, '--out', 'out'],
      cwd,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      'paperboy: Alan.Turing@Example.org gets no email for 2025-10-31: weekly on monday; next digest 2025-11-03',
    );
    expect(existsSync(join(cwd, 'out'))).toBe(false);
  });

  it('exits 7 for an address not on the list', async ({ expect }) => {
    const result = await preview(
      ['--subscriber', 'nobody@example.org', '--subscribers', EXAMPLE],
      tempDir(),
    );
    expect(result.code).toBe(7);
    expect(result.stderr).toContain(`paperboy: no subscriber nobody@example.org in ${EXAMPLE}`);
  });

  it('previews --topics, named by segment, and exits 5 for an unknown topic', async ({
    expect,
  }) => {
    const cwd = tempDir();
    const result = await preview(['--topics', 'graphs,time-series', '--out', '.'], cwd);
    expect(result.code).toBe(0);
    expect(readdirSync(cwd).sort()).toEqual(
      ['eml', 'html', 'txt'].map((ext) =>
        expect.stringMatching(new RegExp(`^${SEED_DATE}-seg_[0-9a-f]{12}\\.${ext}$`)),
      ),
    );
    const text = readFileSync(
      join(cwd, readdirSync(cwd).find((f) => f.endsWith('.txt')) as string),
      'utf8',
    );
    expect(text).toContain('on Graph learning & GNNs and Time series & forecasting today');

    const unknown = await preview(['--topics', 'graphs,grpahs2'], cwd);
    expect(unknown.code).toBe(5);
    expect(unknown.stderr).toContain('unknown topic "grpahs2" in --topics');
  });

  it.for([
    [['--topics', 'graphs', '--subscriber', 'ada@example.org'], '--topics and --subscriber'],
    [['--port', '4000'], '--port needs --serve'],
    [['--serve', '--out', 'x'], '--out does not go with --serve'],
    [['--serve', '--port', 'http'], 'expected a port number'],
    [['--subscribers', 'x.json'], '--subscribers needs --subscriber'],
  ] as [string[], string][])('exits 2 for %j', async ([args, message], { expect }) => {
    const result = await preview(args, tempDir());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('--serve prints its URL, serves the page and stops cleanly on SIGTERM', async ({ expect }) => {
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'dist/cli.js'),
        'preview',
        SEED_PATH,
        '--date',
        SEED_DATE,
        '--serve',
        '--port',
        '0',
      ],
      { cwd: tempDir(), env: { ...process.env, PAPERBOY_CONFIG: undefined } },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('\n')) resolve(stdout.trim());
      });
      child.on('close', () => reject(new Error(`exited before listening: ${stderr}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('paperboy preview');
    // An open event stream (a page in a browser) must not hold the shutdown.
    const events = await fetch(new URL('/events', url));
    await events.body?.getReader().read();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/unexpected error/);
  });
});
