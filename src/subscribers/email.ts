// How an address is identified: one normal form for comparing, one hash for remembering a purged
// address without keeping it.
import { createHash } from 'node:crypto';
import { z } from 'zod';

const emailSchema = z.email();

/**
 * The form addresses are compared in: trimmed, NFC, lower-case. Lower-casing the local part is
 * not what RFC 5321 says, but every real mailbox provider treats it that way, and treating
 * `Ada@x.org` and `ada@x.org` as two people would mail one person twice.
 */
export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}

/** A plausible address (zod's check: ASCII, a dot in the domain). Expects a trimmed string. */
export function isEmailAddress(email: string): boolean {
  return emailSchema.safeParse(email).success;
}

/**
 * The suppression hash of a purged address: sha256 (hex) of its normal form. A plain, unsalted
 * hash, so the same address always matches; it is not anonymous (anyone holding an address can
 * test whether it is in the list), it only keeps the address out of the file.
 */
export function hashEmail(email: string): string {
  return createHash('sha256').update(normalizeEmail(email)).digest('hex');
}
