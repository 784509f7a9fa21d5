/**
 * YAML that PyYAML (and so the KFP SDK and most ML tooling) reads but the YAML 1.2 spec refuses: a
 * quoted or flow value continued at its key's indentation. Read as PyYAML reads it, on the same
 * lines; a file the spec accepts is read as written, and one that stays broken is a parse error.
 */
import { describe, expect, it } from 'vitest';
import { parseYaml, SyntaxProblem, toPlain } from '../../src/formats/tree.js';
import { indentFlowContinuations } from '../../src/formats/yaml-lenient.js';

const plain = (text: string) => parseYaml(text).map((d) => toPlain(d));

describe('flow values continued at their key\'s indentation', () => {
  it('a double-quoted command continued on the next lines, as the KFP SDK writes it', () => {
    const text = 'deploymentSpec:\n  executors:\n    exec-train:\n      container:\n        command:\n        - sh\n        - "python -m train\n        --epochs 3"\n        image: python:3.12\n';
    expect(plain(text)).toEqual([{ deploymentSpec: { executors: { 'exec-train': { container: { command: ['sh', 'python -m train --epochs 3'], image: 'python:3.12' } } } } }]);
  });

  it('a single-quoted script at the key\'s indentation (CloudFormation accepts it)', () => {
    const text = "Resources:\n  X:\n    Properties:\n      Script: 'line one\n      line two'\n      Name: x\n";
    const [doc] = parseYaml(text);
    expect(toPlain(doc!)).toEqual({ Resources: { X: { Properties: { Script: 'line one line two', Name: 'x' } } } });
  });

  it('a flow map continued on a line at the parent\'s indentation', () => {
    expect(plain('a: {b: 1,\nc: 2}\nd: 3\n')).toEqual([{ a: { b: 1, c: 2 }, d: 3 }]);
    expect(plain('list:\n- [one,\ntwo]\n')).toEqual([{ list: [['one', 'two']] }]);
  });

  it('keeps line numbers: a value on a continued line is where the file has it', () => {
    const [doc] = parseYaml('a: {b: 1,\nc: 2}\nd: 3\n');
    expect(doc?.type === 'map' && doc.entries.map((e) => [e.key, e.keyLine])).toEqual([['a', 1], ['d', 3]]);
  });

  it('leaves block scalars, comments, quotes inside plain words and valid files alone', () => {
    expect(indentFlowContinuations('run: |\n  echo "hello\n  world"\nx: it\'s fine\n# "not a value\n')).toBeUndefined();
    expect(indentFlowContinuations('a: "closed"\nb: [1, 2]\n')).toBeUndefined();
    // Still broken after the continuation lines move: the parse error stays, on its line.
    expect(() => parseYaml('a: "never closed\nb: 1\n')).toThrow(SyntaxProblem);
    try {
      parseYaml('ok: 1\nbad:\n  - x\n - y\n');
      expect.unreachable();
    } catch (e) {
      expect((e as SyntaxProblem).line).toBe(4);
    }
  });

  it('never throws on hostile input; a long continued value is read', () => {
    const long = `a: "${'x\n'.repeat(20000)}"\n`;
    expect(plain(long)[0]).toMatchObject({ a: expect.any(String) });
    for (const s of ['a: "\\', "a: '''", 'a: {[{[', '- "x\n-', 'a: [#\n]', "'\n'\n'"]) expect(() => indentFlowContinuations(s)).not.toThrow();
  });
});
