// DKIM signing keys from the config (`delivery.dkim`): nodemailer signs, we only read the key.
import { readFileSync } from 'node:fs';
import type { DKIMSingleKeyOptions } from 'nodemailer/lib/dkim';
import type { Config } from '../config.js';
import { PaperboyError } from '../errors.js';

export function loadDkimOptions(config: Config): DKIMSingleKeyOptions | undefined {
  const dkim = config.delivery.dkim;
  if (!dkim) return undefined;
  let privateKey: string;
  try {
    privateKey = readFileSync(dkim.privateKeyPath, 'utf8');
  } catch (error) {
    throw new PaperboyError(
      'config',
      `delivery.dkim.privateKeyPath: ${dkim.privateKeyPath} cannot be read (${(error as NodeJS.ErrnoException).code})`,
      { hint: 'point it at the PEM file of the DKIM private key' },
    );
  }
  if (!privateKey.includes('PRIVATE KEY')) {
    throw new PaperboyError(
      'config',
      `delivery.dkim.privateKeyPath: ${dkim.privateKeyPath} is not a PEM private key`,
    );
  }
  return { domainName: dkim.domainName, keySelector: dkim.keySelector, privateKey };
}
