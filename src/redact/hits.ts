/**
 * Hits, the spans of a text that hold a credential, and how they are replaced: overlapping hits
 * merged, each masked as its kept prefix, `…` and its length.
 */

/** A span to replace: [start, end) of the text, `keep` characters of it stay visible. */
export interface Hit {
  start: number;
  end: number;
  keep: number;
  /** Which prefix wins when two families find the same span: marker, then context, then entropy. */
  rank: number;
}

const MAX_KEEP = 6;
/** Characters a high-entropy value without a marker keeps. */
export const KEEP_RANDOM = 4;

/** Replaces the hits, merging overlapping ones so that no part of a credential survives. */
export function apply(text: string, hits: Hit[]): string {
  hits.sort((a, b) => a.start - b.start || b.end - a.end || a.rank - b.rank);
  let out = '';
  let pos = 0;
  let cur: Hit = { ...hits[0]! };
  for (let i = 1; i <= hits.length; i++) {
    const next = hits[i];
    if (next !== undefined && next.start < cur.end) {
      if (next.end > cur.end) cur.end = next.end;
      // Nothing of a password or a key body shows, even through the prefix of a hit around it.
      if (next.keep === 0) cur.keep = Math.min(cur.keep, next.start - cur.start);
      continue;
    }
    out += text.slice(pos, cur.start) + mask(text.slice(cur.start, cur.end), cur.keep);
    pos = cur.end;
    if (next !== undefined) cur = { ...next };
  }
  return out + text.slice(pos);
}

function mask(secret: string, keep: number): string {
  const n = secret.length;
  const shown = secret.slice(0, Math.min(keep, MAX_KEEP, Math.floor(n / 4)));
  return `${shown}…(${n} ${n === 1 ? 'char' : 'chars'}, redacted)`;
}
