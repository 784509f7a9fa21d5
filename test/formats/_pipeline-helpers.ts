/**
 * Test helpers shared by the CloudFormation, SageMaker pipeline, Step Functions, Kubeflow, Argo
 * and Kubernetes format tests.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import fc from 'fast-check';
import type { Document, FormatModule, Node, ParseError, SymbolicNode } from '../../src/model.js';
import { isDocument, isParseError } from '../../src/formats/common.js';

export const fixture = (name: string): string => readFileSync(new URL(`../fixtures/formats/${name}`, import.meta.url), 'utf8');

/** 1-based line of the nth occurrence of `needle` (fixtures are asserted against their text, not magic numbers). */
export function lineOf(text: string, needle: string, nth = 1): number {
  let at = -1;
  for (let i = 0; i < nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at === -1) throw new Error(`"${needle}" (occurrence ${nth}) not in fixture`);
  }
  return text.slice(0, at).split('\n').length;
}

/** Line of the last line of a needle spanning lines. */
export function lastLineOf(text: string, needle: string): number {
  return lineOf(text, needle) + needle.split('\n').length - 1;
}

export function asDocument(r: unknown): Document {
  if (!isDocument(r)) throw new Error(`expected a Document, got ${JSON.stringify(r)}`);
  return r;
}

export function asError(r: unknown): ParseError {
  if (!isParseError(r)) throw new Error(`expected a ParseError, got ${JSON.stringify(r).slice(0, 300)}`);
  return r;
}

export function asSymbol(n: Node | undefined): SymbolicNode {
  if (n?.type !== 'symbolic') throw new Error(`expected a symbolic node, got ${JSON.stringify(n)}`);
  return n;
}

/** [type, address, startLine, endLine] of each target. */
export function targetRows(doc: Document): [string, string, number, number][] {
  return doc.targets.map((t) => [t.type, t.address, t.startLine, t.endLine]);
}

/**
 * A "billion laughs" YAML stream: each level repeats the previous ten times, so the last level
 * expands to over a million nodes. `prefix` lines come first; the bomb's last level is on line
 * `prefix lines + 6`.
 */
export function aliasBomb(prefix = ''): string {
  const levels = ['a', 'b', 'c', 'd', 'e', 'f'];
  const lines = levels.map((name, i) => {
    const items = i === 0 ? Array(10).fill('x') : Array(10).fill(`*${levels[i - 1]}`);
    return `${name}: &${name} [${items.join(', ')}]`;
  });
  return prefix + lines.join('\n') + '\n';
}

/**
 * Property: whatever text a module is handed, parse returns a value and never throws. The
 * arbitrary mixes the module's signature with structural characters, so it reaches the parsers.
 */
export function neverThrows(module: FormatModule, path: string, signature: string[]): void {
  const token = fc.constantFrom(...signature, '{', '}', '[', ']', ':', ',', '"', "'", '\n', '  ', '- ', '!Ref ', '${x}', '&a ', '*a', '---\n', 'null');
  fc.assert(
    fc.property(fc.array(fc.oneof(token, fc.string({ maxLength: 8 })), { maxLength: 40 }), (parts) => {
      const text = parts.join('');
      const r = module.parse(path, text);
      expect(r).toBeTypeOf('object');
      if (isParseError(r)) {
        expect(r.kind).toBe(module.kind);
        expect(r.line).toBeGreaterThanOrEqual(1);
      }
    }),
    { numRuns: 300 },
  );
}
