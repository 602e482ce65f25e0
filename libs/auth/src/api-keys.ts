import { createHash, timingSafeEqual } from 'node:crypto';

/** SHA-256 of a key: what is kept in memory and compared, never the key itself. */
export function digestOf(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** The keys of a file or variable: one per line or comma-separated; blanks and `#` lines dropped. */
export function parseApiKeys(text: string): string[] {
  return text
    .split(/[\r\n,]+/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/**
 * The accepted API keys, held as SHA-256 digests. Several at once, so that a key is rotated by
 * adding the new one, moving clients, then removing the old one. A presented key is hashed and
 * compared with every digest in constant time (no early exit), so neither timing nor the
 * position of a match tells an attacker anything.
 */
export class ApiKeys {
  private digests: Buffer[] = [];

  constructor(keys: readonly string[] = []) {
    this.replace(keys);
  }

  get size(): number {
    return this.digests.length;
  }

  replace(keys: readonly string[]): void {
    this.digests = [...new Set(keys)].map(digestOf);
  }

  /**
   * The identity of a valid key (`key:` + the first 16 hex digits of its digest: stable, not
   * secret, safe as a rate-limit key and in logs), or undefined.
   */
  identify(presented: string): string | undefined {
    const digest = digestOf(presented);
    let match: Buffer | undefined;
    for (const known of this.digests) if (timingSafeEqual(known, digest)) match = known;
    return match && `key:${match.subarray(0, 8).toString('hex')}`;
  }
}
