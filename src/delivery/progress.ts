// Progress while sending, on stderr: a bar on a terminal (cli-progress), otherwise a plain line
// now and then (every tenth of the way, or every 5 s), which reads well in a log or CI.
import cliProgress from 'cli-progress';
import type { DeliveryProgress } from './deliver-issue.js';

export interface ProgressReporter {
  update(progress: DeliveryProgress): void;
  /** Leaves the bar (or writes the last line) as it is. */
  stop(): void;
}

const PLAIN_EVERY_MS = 5000;

function counts(p: DeliveryProgress): string {
  return `sent ${p.sent} · failed ${p.failed} · skipped ${p.skipped} · retried ${p.retried}`;
}

export function createProgressReporter(
  stream: NodeJS.WriteStream,
  /** `sending`, or `building (dry run)`. */
  verb: string,
): ProgressReporter {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${verb} {bar} {value}/{total} · {counts} · {eta_formatted} left`,
        hideCursor: true,
        barsize: 24,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p) {
        if (p.total === 0) return;
        if (!started) {
          bar.start(p.total, p.done, { counts: counts(p) });
          started = true;
        } else bar.update(p.done, { counts: counts(p) });
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let lastStep = -1;
  let lastAt = 0;
  let last: DeliveryProgress | null = null;
  let lastWritten: DeliveryProgress | null = null;
  const write = (p: DeliveryProgress) => {
    stream.write(`${verb}: ${p.done}/${p.total} · ${counts(p)}\n`);
    lastWritten = p;
    lastAt = Date.now();
  };
  return {
    update(p) {
      last = p;
      if (p.total === 0) return;
      const step = Math.floor((10 * p.done) / p.total);
      if (step > lastStep || Date.now() - lastAt >= PLAIN_EVERY_MS) {
        lastStep = step;
        write(p);
      }
    },
    stop() {
      if (last && last.total > 0 && last !== lastWritten) write(last);
    },
  };
}
