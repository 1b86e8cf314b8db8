// One error class for every expected failure. The CLI catches it in one place, prints the message
// and hint on one line each, and exits with its code. Anything else is a bug and prints the stack.

/** Exit codes are a contract (README, "Exit codes"). */
export const ExitCode = {
  ok: 0,
  bug: 1,
  usage: 2,
  /** A file, URL or the network could not be read. */
  unreadable: 3,
  /** The input was read but is not something paperboy can use (empty, binary, wrong shape). */
  invalidInput: 4,
  /** The configuration (config file, topic ids) is wrong. */
  config: 5,
  /** The subscriber store is broken (invalid file) or could not be locked or written. */
  store: 6,
  /** The request conflicts with the list: unknown address, already subscribed, suppressed. */
  conflict: 7,
  /**
   * `send` finished, but not every planned message was accepted (failed or rejected; each is in
   * the ledger and a rerun retries it), or the run stopped because the server refused the sender
   * or could not be reached.
   */
  delivery: 8,
  /** `send` paused itself: too many attempts failed or were throttled. A rerun resumes. */
  paused: 9,
  /** Another `send` of the same issue holds its ledger. */
  busy: 10,
  /** `send` stopped on SIGINT or SIGTERM (128 + SIGINT, as a shell reports it). A rerun resumes. */
  interrupted: 130,
} as const;

export type ExitCodeName = keyof typeof ExitCode;

export class PaperboyError extends Error {
  readonly kind: ExitCodeName;
  readonly hint: string | undefined;

  constructor(
    kind: ExitCodeName,
    message: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'PaperboyError';
    this.kind = kind;
    this.hint = options.hint;
  }

  get exitCode(): number {
    return ExitCode[this.kind];
  }
}
