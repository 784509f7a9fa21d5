import { describe, expect, it } from 'vitest';
import { canAnchor, hunkIndex, parsePatch } from '../../src/publish/github/patch.js';

describe('parsePatch', () => {
  it('reads several hunks: context and added lines are on the right side, deleted ones are not', () => {
    const p = parsePatch(
      [
        '@@ -1,4 +1,5 @@',
        ' line 1',
        '-old 2',
        '+new 2',
        '+new 3',
        ' line 4',
        ' line 5',
        '@@ -20,3 +21,2 @@ resource "x" "y" {',
        ' line 21',
        '-gone',
        ' line 22',
      ].join('\n'),
    );
    expect(p.hunks).toHaveLength(2);
    expect(p.hunks[0]).toMatchObject({ oldStart: 1, oldLines: 4, newStart: 1, newLines: 5, right: [1, 2, 3, 4, 5], added: [2, 3] });
    expect(p.hunks[1]).toMatchObject({ oldStart: 20, newStart: 21, newLines: 2, right: [21, 22], added: [] });
    expect([...p.right]).toEqual([1, 2, 3, 4, 5, 21, 22]);
    expect([...p.added]).toEqual([2, 3]);
    expect(hunkIndex(p, 22)).toBe(1);
    expect(hunkIndex(p, 10)).toBe(-1);
  });

  it('handles pure deletions and hunk headers without counts', () => {
    const del = parsePatch('@@ -3,2 +2,0 @@\n-a\n-b');
    expect(del.right.size).toBe(0);
    const one = parsePatch('@@ -1 +1 @@\n-x\n+y');
    expect(one.hunks[0]).toMatchObject({ oldLines: 1, newLines: 1, right: [1], added: [1] });
  });

  it('ignores "no newline at end of file" markers', () => {
    // "a\nb" (no final newline) became "a\nb\nc" (no final newline either)
    const p = parsePatch('@@ -1,2 +1,3 @@\n a\n-b\n\\ No newline at end of file\n+b\n+c\n\\ No newline at end of file');
    expect([...p.right]).toEqual([1, 2, 3]);
    expect([...p.added]).toEqual([2, 3]);
    const q = parsePatch('@@ -1,1 +1,2 @@\n-b\n\\ No newline at end of file\n+b\n+c\n\\ No newline at end of file');
    expect([...q.right]).toEqual([1, 2]);
    expect([...q.added]).toEqual([1, 2]);
  });

  it('skips git headers before the first hunk and text after a hunk is complete', () => {
    const p = parsePatch(
      ['diff --git a/x.tf b/x.tf', 'index 1..2 100644', '--- a/x.tf', '+++ b/x.tf', '@@ -1,1 +1,2 @@', ' a', '+b', '+not counted', ''].join('\n'),
    );
    expect([...p.right]).toEqual([1, 2]);
  });

  it('reads CRLF patches and context lines whose leading space was stripped', () => {
    const p = parsePatch('@@ -1,3 +1,3 @@\r\n a\r\n\r\n+c\r\n-d');
    expect([...p.right]).toEqual([1, 2, 3]);
  });

  it('shows nothing for a file without a patch (binary, too large, renamed without changes)', () => {
    for (const patch of [undefined, null, '']) {
      const p = parsePatch(patch);
      expect(p.hunks).toEqual([]);
      expect(canAnchor(p, 1, 1)).toBe(false);
    }
  });
});

describe('canAnchor', () => {
  const p = parsePatch('@@ -1,3 +1,4 @@\n a\n+b\n c\n d\n@@ -10,2 +11,2 @@\n x\n+y');
  it('accepts single lines and ranges within one hunk', () => {
    expect(canAnchor(p, 2, 2)).toBe(true);
    expect(canAnchor(p, 1, 4)).toBe(true);
    expect(canAnchor(p, 11, 12)).toBe(true);
  });
  it('rejects lines outside the hunks, ranges across hunks and backwards ranges', () => {
    expect(canAnchor(p, 5, 5)).toBe(false);
    expect(canAnchor(p, 4, 11)).toBe(false);
    expect(canAnchor(p, 3, 2)).toBe(false);
    expect(canAnchor(p, 0, 1)).toBe(false);
  });
});
