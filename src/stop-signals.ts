// How every long-running command stops: the first SIGINT or SIGTERM asks it to finish what is in
// flight and stop cleanly; a second one leaves at once with exit code 130 (what was recorded
// stays recorded, and the next run or another worker picks up the rest).
import { ExitCode } from './errors.js';

export interface StopHandlers {
  /** The first signal: stop taking new work, let the work in flight finish. */
  first(signal: NodeJS.Signals): void;
  /** A second signal, right before the process exits 130: say so, save what can be saved. */
  again(signal: NodeJS.Signals): void;
}

/** Installs the handlers; returns a function that removes them. */
export function onStopSignals(handlers: StopHandlers): () => void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    received++;
    if (received === 1) {
      handlers.first(signal);
      return;
    }
    handlers.again(signal);
    process.exit(ExitCode.interrupted);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
