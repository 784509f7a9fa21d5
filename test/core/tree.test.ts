import { describe, expect, it } from 'vitest';
import { dig, entry, LineIndex, parseJson, parseYaml, SyntaxProblem, toPlain } from '../../src/formats/tree.js';

describe('YAML trees', () => {
  it('positions maps, keys, lists and scalars', () => {
    const [doc] = parseYaml(['a:', '  b: 1', '  c:', '    - x', '    - y', 'd: true', ''].join('\n'));
    expect(doc).toMatchObject({ type: 'map', startLine: 1, endLine: 6 });
    expect(entry(doc, 'd')).toMatchObject({ keyLine: 6, value: { type: 'scalar', value: true } });
    expect(dig(doc, 'a', 'c')).toMatchObject({ type: 'list', startLine: 4, endLine: 5 });
    expect(entry(dig(doc, 'a'), 'b')).toMatchObject({ keyLine: 2, value: { value: 1, startLine: 2 } });
  });

  it('keeps application tags as symbols with refs', () => {
    const [doc] = parseYaml('k: !Ref Bucket\nj: !GetAtt Role.Arn\n', { tagRefs: (tag, n) => [String(toPlain(n)).split('.')[0]!] });
    expect(dig(doc, 'k')).toMatchObject({ type: 'symbolic', expr: '!Ref Bucket', refs: ['Bucket'] });
    expect(dig(doc, 'j')).toMatchObject({ type: 'symbolic', refs: ['Role'] });
  });

  it('reads multi-document streams and merge keys', () => {
    const docs = parseYaml('base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n---\nsecond: 1\n');
    expect(docs).toHaveLength(2);
    expect(toPlain(dig(docs[0], 'other'))).toEqual({ x: 1, y: 3 });
  });

  it('refuses alias bombs and reports syntax errors with their line', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 8; i++) {
      const prev = String.fromCharCode(97 + i);
      const cur = String.fromCharCode(98 + i);
      bomb.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    expect(() => parseYaml(bomb.join('\n'))).toThrow(/aliases expand/);
    try {
      parseYaml('a: 1\nb:\n  - x\n - y\n');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SyntaxProblem);
      expect((e as SyntaxProblem).line).toBe(4);
    }
    expect(() => parseYaml('a: 1\na: 2\n')).toThrow(SyntaxProblem);
  });
});

describe('JSON trees', () => {
  it('positions objects and arrays', () => {
    const n = parseJson('{\n  "a": [\n    1,\n    {"b": null}\n  ],\n  "c": "x"\n}\n');
    expect(n).toMatchObject({ type: 'map', startLine: 1, endLine: 7 });
    expect(dig(n, 'a')).toMatchObject({ type: 'list', startLine: 2, endLine: 5 });
    expect(entry(n, 'c')!.keyLine).toBe(6);
  });

  it('reports the line of a syntax error', () => {
    try {
      parseJson('{\n  "a": 1,\n  "b": \n}');
      expect.unreachable();
    } catch (e) {
      expect((e as SyntaxProblem).line).toBe(4);
      expect((e as SyntaxProblem).message).toMatch(/JSON: /);
    }
  });

  it('maps offsets to lines', () => {
    const idx = new LineIndex('a\nbc\n\nd');
    expect([idx.line(0), idx.line(2), idx.line(3), idx.line(5), idx.line(6)]).toEqual([1, 2, 2, 3, 4]);
  });
});
