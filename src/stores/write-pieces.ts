// A file replaced atomically from text made a piece at a time: what write-file-atomic does (a
// temporary file beside it, fsync, rename over the old one), without ever holding the whole text.
// For files that grow with the list, such as the send history, whose text at 100,000 subscribers
// is about 5 MB, a string and a copy of it as bytes at the peak of the send (issue 7).
import { randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';

/**
 * Text is written in batches of about this many UTF-16 units: small enough that a batch and its
 * bytes stay out of V8's large-object space (an object over 128 KB gets pages of its own; batches
 * of 64K units at the end of a 100,000-subscriber send added 4 MB to its peak), large enough that
 * a 5 MB file takes a few hundred writes.
 */
const BATCH = 1 << 14;

async function writeAll(handle: FileHandle, text: string): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  for (let offset = 0; offset < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, offset);
    offset += bytesWritten;
  }
}

/**
 * Writes the pieces, in order, to `path`: a crash or an error leaves the old file or the new one,
 * never part of one, and no temporary file.
 */
export async function writePiecesAtomically(path: string, pieces: Iterable<string>): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx');
  try {
    let batch = '';
    for (const piece of pieces) {
      batch += piece;
      if (batch.length < BATCH) continue;
      await writeAll(handle, batch);
      batch = '';
    }
    await writeAll(handle, batch);
    await handle.sync();
    await handle.close();
    await rename(temporary, path);
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(temporary, { force: true });
    throw error;
  }
}
