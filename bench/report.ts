// The benchmark's results: their shape (bench/results.json), the targets of issue 7 checked
// against them, the table printed and the README section written from them.
import { readFileSync, writeFileSync } from 'node:fs';

export interface SizeResult {
  subscribers: number;
  planned: number;
  segments: number;
  loadMs: number;
  planMs: number;
  render: { segments: number; mjmlCompiles: number; totalMs: number; msPerSegment: number };
  personalizeUsPerRecipient: number;
  mimeUsPerMessage: number;
  mimeSkeletonMsPerSegment: number;
  nodemailerMimeUsPerMessage: number;
  send: {
    wallMs: number;
    exitCode: number | null;
    /** The median of peakRssRunsMB. */
    peakRssMB: number | null;
    /** Each send's peak RSS: this send's first, then the same send's again (RSS_SENDS in all). */
    peakRssRunsMB: (number | null)[];
    /**
     * CPU time per planned message (user and system, every thread): the sender's whole command
     * (start-up, plan and render included), and the sink's while it received them.
     */
    cpuMsPerMessage: { sender: number | null; sink: number };
    sinkMessages: number;
    /** Average size of a message as the sink read it. */
    averageMessageBytes: number;
    duplicates: number;
    /** Messages per second between the sink's first and last message. */
    sustainedPerSecond: number | null;
    /** Planned messages over the whole command's wall time (start-up, plan, render included). */
    endToEndPerSecond: number;
  };
  /**
   * The sink's sample of this send's messages sent again, `messages` of them, through the same SMTP
   * pool and connections to the same sink, with nothing else running (transport-alone.ts): what
   * the transport costs by itself.
   */
  transportAlone: {
    messages: number;
    /** Sampled messages sent in turn. */
    distinct: number;
    averageMessageBytes: number;
    sustainedPerSecond: number | null;
    cpuMsPerMessage: { sender: number; sink: number };
  };
  straightforward: {
    sampled: number;
    extrapolated: boolean;
    renderMsPerMessage: number;
    messagesPerSecond: number;
    projectedWallMs: number;
  };
  speedup: { endToEnd: number; rendering: number };
  /**
   * The same send again with glibc's malloc told to map every block of 128 KB or more on its own
   * (MALLOC_MMAP_THRESHOLD_, README: Performance), each into a fresh ledger: the median of the
   * peaks, and each peak.
   */
  tunedAllocator: { peakRssMB: number | null; peakRssRunsMB: (number | null)[] };
  checks: { sampled: number; problems: string[] };
}

export interface Target {
  name: string;
  target: string;
  actual: string;
  met: boolean;
}

export interface Results {
  generatedAt: string;
  command: string;
  mode: 'quick' | 'full';
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; os: string };
  parse: {
    textMBps: number;
    textArchiveMBps: number;
    jsonMBps: number;
    textArchiveBytes: number;
    jsonBytes: number;
  };
  classify: { papersPerSecond: number; compileMs: number };
  sizes: SizeResult[];
  targets: Target[];
}

const n = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The allocator setting the benchmark measures beside the default (README: Performance). */
export const TUNED_ALLOCATOR = { MALLOC_MMAP_THRESHOLD_: '131072' };
const TUNED_ALLOCATOR_ENV = Object.entries(TUNED_ALLOCATOR)
  .map(([name, value]) => `${name}=${value}`)
  .join(' ');

/** How much the peak RSS may grow with a list ten times longer and still count as flat. */
const FLAT_RSS_GROWTH = 0.1;

/** The middle value (the mean of the middle two for an even count); null when any is unknown. */
export function median(values: readonly (number | null)[]): number | null {
  if (values.length === 0 || values.some((value) => value === null)) return null;
  const sorted = (values as number[]).slice().sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** A median peak, with the range of the peaks it is the median of when there are several. */
function peakText(peak: number | null, runs: readonly (number | null)[]): string {
  if (peak === null) return '?';
  const known = runs.filter((value): value is number => value !== null);
  if (known.length < 2) return `${n(peak)} MB`;
  return `${n(peak)} MB (${n(Math.min(...known))}–${n(Math.max(...known))})`;
}

export function targetsOf(results: Results): Target[] {
  const largest = results.sizes.reduce<SizeResult | null>(
    (best, s) => (best === null || s.subscribers > best.subscribers ? s : best),
    null,
  );
  const targets: Target[] = [
    {
      name: 'classification',
      target: '≥ 10,000 papers/s',
      actual: `${n(results.classify.papersPerSecond)} papers/s`,
      met: results.classify.papersPerSecond >= 10_000,
    },
    {
      name: 'text parsing',
      target: '≥ 20 MB/s',
      actual: `${n(results.parse.textMBps, 1)} MB/s`,
      met: results.parse.textMBps >= 20,
    },
  ];
  if (largest) {
    const at = `at ${n(largest.subscribers)}`;
    const sustained = largest.send.sustainedPerSecond ?? 0;
    targets.push(
      {
        name: `delivery ${at}`,
        target: '≥ 2,000 messages/s sustained',
        actual: `${n(sustained)} messages/s`,
        met: sustained >= 2000,
      },
      {
        name: `whole send ${at}`,
        target: '< 90 s',
        actual: `${n(largest.send.wallMs / 1000, 1)} s`,
        met: largest.send.wallMs < 90_000,
      },
      {
        name: `end-to-end speed-up ${at}`,
        target: '≥ 3x the straightforward path',
        actual: `${n(largest.speedup.endToEnd, 1)}x`,
        met: largest.speedup.endToEnd >= 3,
      },
      {
        name: `rendering speed-up ${at}`,
        target: '≥ 300x',
        actual: `${n(largest.speedup.rendering)}x`,
        met: largest.speedup.rendering >= 300,
      },
      {
        name: `peak RSS ${at}`,
        target: '< 256 MB',
        actual: largest.send.peakRssMB === null ? 'unknown' : `${n(largest.send.peakRssMB)} MB`,
        met: largest.send.peakRssMB !== null && largest.send.peakRssMB < 256,
      },
    );
    // "Flat from 10k to 100k": the list ten times longer, the peak within 10% (run-to-run noise).
    const tenth = results.sizes.find((s) => s.subscribers * 10 === largest.subscribers);
    const from = tenth?.send.peakRssMB ?? null;
    const to = largest.send.peakRssMB;
    if (tenth && from !== null && to !== null) {
      const growth = to / from - 1;
      targets.push({
        name: `peak RSS from ${n(tenth.subscribers)} to ${n(largest.subscribers)}`,
        target: `flat: within ${FLAT_RSS_GROWTH * 100}%`,
        actual: `${n(from)} → ${n(to)} MB (${growth >= 0 ? '+' : ''}${n(growth * 100)}%), medians`,
        met: growth <= FLAT_RSS_GROWTH,
      });
    }
  }
  return targets;
}

function table(rows: string[][]): string {
  const [head, ...body] = rows;
  if (!head) return '';
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...body.map(line)].join('\n');
}

/** The Markdown the README shows and the terminal prints. */
/** How many sends each size's peak RSS is the median of. */
function sendsText(results: Results): string {
  const counts = new Set(results.sizes.map((s) => s.send.peakRssRunsMB.length));
  return [...counts].join(' or ');
}

export function formatMarkdown(results: Results): string {
  const m = results.machine;
  const sizeRows = [
    ['', ...results.sizes.map((s) => `${n(s.subscribers)} subscribers`)],
    [
      'messages planned / received by the sink',
      ...results.sizes.map((s) => `${n(s.planned)} / ${n(s.send.sinkMessages)}`),
    ],
    [
      'segments (MJML compiles)',
      ...results.sizes.map((s) => `${n(s.segments)} (${s.render.mjmlCompiles})`),
    ],
    [
      'load subscribers / plan',
      ...results.sizes.map((s) => `${n(s.loadMs)} ms / ${n(s.planMs)} ms`),
    ],
    ['render, per segment', ...results.sizes.map((s) => `${n(s.render.msPerSegment, 2)} ms`)],
    [
      'personalize, per recipient',
      ...results.sizes.map((s) => `${n(s.personalizeUsPerRecipient, 1)} µs`),
    ],
    [
      'MIME per message: ours / nodemailer',
      ...results.sizes.map(
        (s) => `${n(s.mimeUsPerMessage, 1)} / ${n(s.nodemailerMimeUsPerMessage)} µs`,
      ),
    ],
    ['**send: wall time**', ...results.sizes.map((s) => `**${n(s.send.wallMs / 1000, 1)} s**`)],
    [
      '**delivery, sustained**',
      ...results.sizes.map((s) => `**${n(s.send.sustainedPerSecond ?? 0)} msg/s**`),
    ],
    [
      'CPU per message: sender / sink',
      ...results.sizes.map(
        (s) =>
          `${s.send.cpuMsPerMessage.sender === null ? '?' : n(s.send.cpuMsPerMessage.sender, 2)} / ${n(s.send.cpuMsPerMessage.sink, 2)} ms`,
      ),
    ],
    [
      'message size, average',
      ...results.sizes.map((s) => `${n(s.send.averageMessageBytes / 1024, 1)} KB`),
    ],
    [
      'transport alone: the same messages, pool and sink',
      ...results.sizes.map((s) => `${n(s.transportAlone.sustainedPerSecond ?? 0)} msg/s`),
    ],
    [
      'transport alone, CPU per message: sender / sink',
      ...results.sizes.map(
        (s) =>
          `${n(s.transportAlone.cpuMsPerMessage.sender, 2)} / ${n(s.transportAlone.cpuMsPerMessage.sink, 2)} ms`,
      ),
    ],
    [
      `**peak RSS of the sender** (median of ${sendsText(results)} sends; range)`,
      ...results.sizes.map((s) => `**${peakText(s.send.peakRssMB, s.send.peakRssRunsMB)}**`),
    ],
    [
      `peak RSS with ${TUNED_ALLOCATOR_ENV}`,
      ...results.sizes.map((s) =>
        peakText(s.tunedAllocator.peakRssMB, s.tunedAllocator.peakRssRunsMB),
      ),
    ],
    [
      'straightforward path',
      ...results.sizes.map(
        (s) =>
          `${n(s.straightforward.messagesPerSecond)} msg/s${s.straightforward.extrapolated ? ` (${n(s.straightforward.sampled)} sampled)` : ''}`,
      ),
    ],
    [
      'straightforward: whole send',
      ...results.sizes.map(
        (s) =>
          `${n(s.straightforward.projectedWallMs / 1000)} s${s.straightforward.extrapolated ? ' (extrapolated)' : ''}`,
      ),
    ],
    [
      '**speed-up: end to end / rendering**',
      ...results.sizes.map((s) => `**${n(s.speedup.endToEnd, 1)}x / ${n(s.speedup.rendering)}x**`),
    ],
  ];
  const targetRows = [
    ['target', 'wanted', 'measured', ''],
    ...results.targets.map((t) => [t.name, t.target, t.actual, t.met ? 'met' : '**missed**']),
  ];
  const budget = deliveryBudget(results);
  return [
    `Measured ${results.generatedAt.slice(0, 10)} with \`${results.command}\` on ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}; the SMTP sink runs on the same machine in its own process.`,
    '',
    `Parsing: ${n(results.parse.textMBps, 1)} MB/s of text (seed), ${n(results.parse.textArchiveMBps, 1)} MB/s of a 10-day text archive, ${n(results.parse.jsonMBps, 1)} MB/s of API JSON. Classification: ${n(results.classify.papersPerSecond)} papers/s (rules compiled in ${n(results.classify.compileMs, 1)} ms).`,
    '',
    table(sizeRows),
    '',
    table(targetRows),
    '',
    ...(budget ? [budget, ''] : []),
  ].join('\n');
}

/** The target rate. */
const TARGET_PER_SECOND = 2000;
/** Fewer messages than this say little about a steady rate (see deliveryBudget). */
const BUDGET_MIN_MESSAGES = 10_000;

/**
 * The CPU accounting of the delivery target at the largest size: what the machine gives per
 * message at the target rate, what the transport alone takes of it, and what the sender used on
 * everything else.
 */
export function deliveryBudget(results: Results): string | null {
  const largest = results.sizes.at(-1);
  const sender = largest?.send.cpuMsPerMessage.sender;
  if (!largest || sender === null || sender === undefined) return null;
  // A short run's figures are mostly the JIT warming up (the --quick mode's 730 messages).
  if (largest.transportAlone.messages < BUDGET_MIN_MESSAGES) return null;
  const perMessage = (results.machine.cpus * 1000) / TARGET_PER_SECOND;
  const alone = largest.transportAlone.cpuMsPerMessage;
  const left = perMessage - alone.sender - alone.sink;
  const rest = sender - alone.sender;
  const head = [
    `CPU budget of ${n(TARGET_PER_SECOND)} messages/s at ${n(largest.subscribers)}: ${results.machine.cpus} cores give ${n(perMessage, 2)} ms of CPU per message, for the sender and the sink together.`,
    `Sending finished messages alone takes ${n(alone.sender, 2)} ms (sender) + ${n(alone.sink, 2)} ms (sink),`,
  ];
  if (left <= 0) {
    return [
      ...head,
      'the whole budget: with these parts the target is out of reach on this machine, whatever the rest costs.',
    ].join(' ');
  }
  const lines = [
    ...head,
    `which leaves ${n(left, 2)} ms per message for everything else the sender does.`,
    `This run's sender used ${n(sender, 2)} ms per message in all, so about ${n(rest, 2)} ms on everything but the transport: ${rest <= left ? 'within' : `${n(rest / left, 1)} times`} that budget.`,
  ];
  // The sink costs more per message in the send than in the transport alone (at a lower rate it
  // is woken for fewer messages at a time): the run's own total is what the cores must carry.
  const sink = largest.send.cpuMsPerMessage.sink;
  if (sink !== null && sink !== undefined) {
    const total = sender + sink;
    lines.push(
      `In the send itself the sink used ${n(sink, 2)} ms per message, so sender and sink together used ${n(total, 2)} ms: ${total <= perMessage ? 'within' : `${n(total / perMessage, 2)} times`} the ${n(perMessage, 2)} ms.`,
    );
  }
  return lines.join(' ');
}

export function formatReport(results: Results): string {
  return `\n${formatMarkdown(results)}`;
}

const BEGIN = '<!-- bench:begin (written by npm run bench; do not edit by hand) -->';
const END = '<!-- bench:end -->';

/** Replaces the README's Performance table with these results. */
export function updateReadme(path: string, results: Results): void {
  const readme = readFileSync(path, 'utf8');
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start === -1 || end < start) {
    throw new Error(`${path}: no "${BEGIN}" ... "${END}" section to write the results into`);
  }
  writeFileSync(
    path,
    `${readme.slice(0, start + BEGIN.length)}\n${formatMarkdown(results)}${readme.slice(end)}`,
  );
}
