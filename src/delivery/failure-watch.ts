// Watches the share of failed attempts so a run can pause before it burns the sender's
// reputation: mailbox providers read a run of bounces or ignored throttling (421, 4.7.x) as a
// spammer's signature. Pure: attempts are recorded, nothing is timed.
//
// The rate is over the last WINDOW attempts (all of them while there are fewer), so in a run of
// 100,000 a bad streak near the end pauses it as surely as one at the start; nothing is decided
// before `minAttempts` attempts.

/** Attempts the rate is measured over, at least; `minAttempts` when that is larger. */
export const FAILURE_WINDOW = 100;

export interface FailureWatchOptions {
  /** Pause when at least this share of the window failed (0-1; 0: at the first failure). */
  rate: number;
  minAttempts: number;
}

export interface FailureWatch {
  /** Records one attempt; true when the run should pause now. */
  record(failed: boolean): boolean;
  /** Failed and total attempts in the window. */
  readonly window: { failed: number; attempts: number };
}

export function createFailureWatch(options: FailureWatchOptions): FailureWatch {
  const size = Math.max(FAILURE_WINDOW, options.minAttempts);
  const outcomes: boolean[] = [];
  let failed = 0;
  let attempts = 0;
  return {
    record(didFail) {
      attempts++;
      outcomes.push(didFail);
      if (didFail) failed++;
      if (outcomes.length > size && outcomes.shift()) failed--;
      return didFail && attempts >= options.minAttempts && failed / outcomes.length >= options.rate;
    },
    get window() {
      return { failed, attempts: outcomes.length };
    },
  };
}
