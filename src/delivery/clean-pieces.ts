// Whether a message given in pieces (segment-mime.ts) is clean: CRLF line ends only and no line
// starting with a dot, so SMTP DATA needs no dot-stuffing and it can go to the socket as it is.
//
// Why not let nodemailer scan the joined message (DataStream.isClean, patched): that scan costs
// two native searches per line, about 400 lines a message, 2 s of the main thread per 100k send,
// profiled. Most of a message is the segment's pieces, shared by all of its recipients: each of
// those is checked once and remembered; only the recipient's own short strings (the header block,
// links) and the seams between pieces are checked per message.
//
// Being wrong here is not slow but harmful: a bare "\r\n.\r\n" in an unstuffed message ends the
// data early and the rest is read as commands. test/delivery/clean-pieces.test.ts holds this to
// nodemailer's own scan of the joined bytes, on random pieces.
import type { MessagePiece } from './transport.js';

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

/**
 * Inside one piece: a CR followed by anything but LF, an LF after anything but CR, or an LF
 * followed by a dot. A CR that ends a piece or an LF that starts one is for the seam to judge.
 */
const UNCLEAN_INSIDE = /\r[^\n]|[^\r]\n|\n\./;

/** Segment pieces already checked: they are shared, and never change once built. */
const checked = new WeakMap<Buffer, boolean>();

function bufferIsCleanInside(piece: Buffer): boolean {
  let clean = checked.get(piece);
  if (clean === undefined) {
    clean = !UNCLEAN_INSIDE.test(piece.toString('latin1'));
    checked.set(piece, clean);
  }
  return clean;
}

/**
 * Records a piece that is clean inside by how it was made, so it is never scanned: the quoted-
 * printable encoding of text without a CR (segment-mime.ts; quoted-printable.ts writes every line
 * break as CRLF and a dot that would start a line as =2E, and its tests hold it to that).
 */
export function rememberCleanPiece(piece: Buffer): void {
  checked.set(piece, true);
}

/** Whether the pieces, joined, have CRLF line ends only and no line that starts with a dot. */
export function arePiecesClean(pieces: readonly MessagePiece[]): boolean {
  // The byte before the piece at hand; LF at the start, where a line starts too.
  let before = LF;
  for (const piece of pieces) {
    const length = piece.length;
    if (length === 0) continue;
    const text = typeof piece === 'string';
    const first = text ? piece.charCodeAt(0) : (piece[0] as number);
    if (before === LF && first === DOT) return false;
    if (before === CR && first !== LF) return false;
    if (first === LF && before !== CR) return false;
    if (text ? UNCLEAN_INSIDE.test(piece) : !bufferIsCleanInside(piece)) return false;
    before = text ? piece.charCodeAt(length - 1) : (piece[length - 1] as number);
  }
  // A CR at the very end is fine: the end-of-data mark then starts with its LF.
  return true;
}
