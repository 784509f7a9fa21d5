import { collectingNotes } from '../../src/formats/problem.js';
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
    // A key set twice: the last value wins, as in PyYAML, and the parse notes it.
    const { result, notes } = collectingNotes(() => parseYaml('a: 1\na: 2\n'));
    expect(result[0]).toMatchObject({ type: 'map', entries: [{ key: 'a', keyLine: 2, value: { value: 2 } }] });
    expect(notes).toEqual([{ note: 'duplicate-key', line: 2, message: 'the key `a` is set again (first on line 1); the last value is used' }]);
    // A broken document of a stream is noted, the others read; a stream with no readable document throws.
    const stream = collectingNotes(() => parseYaml('a: 1\n---\nb:\n  - x\n - y\n---\nc: 3\n'));
    expect(stream.result.map((d) => d.type)).toEqual(['map', 'map']);
    expect(stream.notes).toMatchObject([{ note: 'broken-document', line: 5 }]);
    expect(() => parseYaml('b:\n  - x\n - y\n---\nc: [\n')).toThrow(SyntaxProblem);
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

describe('JSON parser edge cases', () => {
  const fails = (text: string, line: number, message: RegExp) => {
    try {
      parseJson(text);
      expect.unreachable(`parsed: ${text}`);
    } catch (e) {
      expect(e).toBeInstanceOf(SyntaxProblem);
      expect((e as SyntaxProblem).line).toBe(line);
      expect((e as SyntaxProblem).message).toMatch(message);
    }
  };

  it('reads escapes, numbers and literals as JSON.parse does', () => {
    const text = '{"a": "x\\n\\u00e9\\"\\\\/", "b": [-0.5e3, 0, 12, true, false, null], "c": {}}';
    expect(toPlain(parseJson(text))).toEqual(JSON.parse(text));
  });

  it('refuses what strict JSON refuses, at the right line', () => {
    fails('{\n "a": 1,\n}', 3, /trailing comma/);
    fails('[1,\n 2,\n]', 3, /trailing comma/);
    fails('{\n "a": 01\n}', 2, /expected "," or "}"/);
    fails('{\n "a": "x\ny"\n}', 2, /unterminated string/);
    fails('{"a": "\\x"}', 1, /invalid escape/);
    fails('{"a": tru}', 1, /expected a value/);
    fails('{"a" 1}', 1, /expected ":"/);
    fails('{\'a\': 1}', 1, /property name in double quotes/);
    fails('{"a": 1} {"b": 2}', 1, /after the end of the document/);
    fails('', 1, /empty document/);
    fails('{"a": [1, 2', 1, /end of file/);
    fails('[1.]', 1, /digits expected/);
    fails('// c\n{}', 1, /expected a value/);
  });

  it('refuses nesting deep enough to threaten the stack, without throwing anything else', () => {
    fails('['.repeat(5000) + ']'.repeat(5000), 1, /nested more than/);
  });

  it('keeps the last of repeated keys, also in large objects', () => {
    const keys = Array.from({ length: 40 }, (_, i) => `"k${i}": ${i}`).join(', ');
    expect(toPlain(parseJson(`{${keys}, "k3": "again", "k30": "too"}`))).toMatchObject({ k3: 'again', k30: 'too', k39: 39 });
  });
});
