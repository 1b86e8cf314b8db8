// The long-running senders (send, serve, worker) keep their heap close to what is live.
//
// After each full collection V8 lets the old generation grow to a multiple of what survived it
// (up to 4x) before collecting again. A send allocates far more than it keeps: every rendered
// segment, its encoded bodies and every message in flight live a little while, long enough to be
// promoted, and then die. At 100,000 subscribers that let a process with about 60 MB live data
// peak near 370 MB of RSS. With growth capped at a fifth of what is live, full collections come
// sooner: at 100,000 the peak was 215-219 MB against 224-251 MB with half (two direct runs
// against six), for about 5% more CPU per send, which the delivery rate has room for (about 2,400
// messages/s either way; `npm run bench` measures both on every run; README, Performance).
//
// V8 reads this flag each time it sets the next limit, so setting it once the process runs
// takes effect from the next collection. Node does not let --heap-growing-percent through
// NODE_OPTIONS, and a re-exec to pass it would cost every command's start.
import { setFlagsFromString } from 'node:v8';

/** How far the heap may grow past what was live at the last full collection, in percent. */
export const SENDER_HEAP_GROWTH_PERCENT = 20;

export function keepHeapNearLive(): void {
  setFlagsFromString(`--heap-growing-percent=${SENDER_HEAP_GROWTH_PERCENT}`);
}
