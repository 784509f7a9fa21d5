/**
 * Finding identity. A fingerprint hashes the rule, the (head-side) path and the target's logical
 * address — never a line number — so a finding keeps its identity when lines move, and across a
 * rename because base findings are keyed under the head path.
 */
import { createHash } from 'node:crypto';

export function fingerprint(rule: string, path: string, address: string): string {
  return createHash('sha256').update(`${rule}\u0000${path}\u0000${address}`).digest('hex').slice(0, 24);
}

/**
 * Gives every key a unique fingerprint: the second finding with the same rule, path and address
 * (two failing production variants, say) gets `#2` appended to its address before hashing.
 */
export class FingerprintAllocator {
  private readonly seen = new Map<string, number>();
  next(rule: string, path: string, address: string): string {
    const key = `${rule}\u0000${path}\u0000${address}`;
    const n = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, n);
    return fingerprint(rule, path, n === 1 ? address : `${address}#${n}`);
  }
}
