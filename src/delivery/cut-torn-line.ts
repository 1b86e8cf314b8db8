// A file of newline-ended lines, appended to (the ledger, the archive's page index), whose last
// line a crash may have torn: cut off before anything is appended after it, where readers would
// take it for damage or, worse, for a whole line.
import { fstatSync, ftruncateSync, readSync } from 'node:fs';

/**
 * A line torn by a crash is the file's last bytes, with no newline. Appending after it would
 * bury it in the middle, where readers take it for damage: cut it off first (it recorded
 * nothing that finished).
 */
export function cutTornLine(fd: number): void {
  const size = fstatSync(fd).size;
  if (size === 0) return;
  const chunk = Buffer.alloc(Math.min(size, 64 * 1024));
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const read = readSync(fd, chunk, 0, end - start, start);
    const newline = chunk.subarray(0, read).lastIndexOf(0x0a);
    if (end === size && newline === read - 1) return;
    if (newline !== -1) {
      ftruncateSync(fd, start + newline + 1);
      return;
    }
    end = start;
  }
  ftruncateSync(fd, 0);
}
