// The benchmark's correctness checks, run in its --quick mode so it cannot rot: the built CLI sends
// to the sink process, every planned recipient gets exactly one message, and a sample carries the
// right papers and headers. Its timings are printed, never asserted.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

it('npm run bench -- --quick passes its correctness checks', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 240_000,
  });
  expect(run.stderr).not.toMatch(/CORRECTNESS CHECKS FAILED/);
  expect(run.stdout).toMatch(
    /correctness checks passed: every planned recipient got exactly one message; [1-9]\d* sampled messages/,
  );
  expect(run.stdout).toMatch(/\| messages planned \/ received by the sink \| ([\d,]+) \/ \1 \|/);
  // The send again for its peak, and twice with the allocator tuned: every message received each
  // time (else a check fails), and the median of the peaks given with their range.
  expect(run.stdout).toMatch(
    /\| peak RSS with MALLOC_MMAP_THRESHOLD_=131072 \| [\d,]+ MB \([\d,]+–[\d,]+\) \|/,
  );
  expect(run.stdout).toMatch(
    /\| \*\*peak RSS of the sender\*\* \(median of 2 sends; range\) \| \*\*[\d,]+ MB \([\d,]+–[\d,]+\)\*\* \|/,
  );
  expect(run.status).toBe(0);
}, 300_000);
