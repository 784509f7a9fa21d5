/**
 * Suggestions GitHub can commit, for the safe case only: inserting an attribute or property a rule
 * found missing. The suggestion replaces the line the kind's module chooses (FormatModule.fix: a
 * Terraform block's header, a CloudFormation `Properties:` line) with itself plus the new line,
 * indented like its siblings. A value the user must choose is written `<like-this>` and flagged.
 *
 * Only where the edit is well-formed and small: the module refuses what it cannot place (minified
 * JSON, a one-line block, a flow-style `{...}`), and here a long line is refused too (a suggestion
 * repeats it: a minified file's one line, repeated for each of thousands of findings, once took
 * gigabytes).
 */
import { formatOf } from './formats/index.js';
import type { Document, Evaluation, Finding, Rule } from './model.js';

const CHOOSE = /<[^<>\s][^<>]*>/;

/** Longest opening line a suggestion repeats, and longest indentation it copies. */
const MAX_LINE = 400;
const MAX_INDENT = 64;

function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

/** Indentation of the first non-blank line after `from` (1-based) up to `to`, if any. */
function childIndent(lines: readonly string[], from: number, to: number): string | undefined {
  for (let i = from; i < Math.min(to, lines.length); i++) {
    const l = lines[i]!;
    if (l.trim() !== '' && !l.trim().startsWith('#')) return indentOf(l);
  }
  return undefined;
}

export function suggestFix(rule: Rule, ev: Evaluation, doc: Document, lines: readonly string[]): Finding['fix'] | undefined {
  const spec = rule.fix?.[doc.kind];
  const place = formatOf(doc.kind).fix;
  if (!spec || !place || !ev.missing || !ev.targetSpan) return undefined;
  const at = place(spec, ev, doc, lines);
  if (!at) return undefined;
  const header = lines[at.line - 1];
  if (header === undefined || header.length > MAX_LINE) return undefined;
  const indent = childIndent(lines, at.line, ev.targetSpan.endLine) ?? indentOf(header) + '  ';
  if (indent.length > MAX_INDENT) return undefined;
  return {
    startLine: at.line,
    endLine: at.line,
    replacement: `${header}\n${indent}${at.text}`,
    choose: CHOOSE.test(at.text),
  };
}
