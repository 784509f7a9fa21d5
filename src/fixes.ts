/**
 * Suggestions GitHub can commit, for the safe case only: inserting an attribute or property a rule
 * found missing. The suggestion replaces the target's opening line with itself plus the new line,
 * indented like its siblings. A value the user must choose is written `<like-this>` and flagged.
 *
 * Only where the edit is well-formed and small: a Terraform block or a YAML block mapping whose
 * opening line ends the line (never minified JSON, a one-line block or a flow-style `{...}`), and
 * whose opening line is short (a suggestion repeats it: a minified file's one line, repeated for
 * each of thousands of findings, once took gigabytes).
 */
import type { Document, Evaluation, Finding, Rule } from './model.js';
import { entry } from './formats/tree.js';

const CHOOSE = /<[^<>\s][^<>]*>/;

/** Longest opening line a suggestion repeats, and longest indentation it copies. */
const MAX_LINE = 400;
const MAX_INDENT = 64;

function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

/** Indentation of the first non-blank line after `from` (1-based) up to `to`, if any. */
function childIndent(lines: string[], from: number, to: number): string | undefined {
  for (let i = from; i < Math.min(to, lines.length); i++) {
    const l = lines[i]!;
    if (l.trim() !== '' && !l.trim().startsWith('#')) return indentOf(l);
  }
  return undefined;
}

export function suggestFix(rule: Rule, ev: Evaluation, doc: Document, lines: string[]): Finding['fix'] | undefined {
  const spec = rule.fix?.[doc.kind];
  if (!spec || !ev.missing || !ev.targetSpan) return undefined;
  let anchorLine: number | undefined;
  let text: string | undefined;
  if (doc.kind === 'terraform' && spec.insert_attribute) {
    anchorLine = ev.targetSpan.startLine;
    text = spec.insert_attribute;
  } else if (doc.kind === 'cloudformation' && spec.insert_property) {
    // Only a YAML block mapping (`Properties:` ending its line, entries below): inserting into JSON
    // would need a comma on a neighbouring line, into a flow mapping a comma inside the braces.
    const target = doc.targets.find((t) => t.startLine === ev.targetSpan!.startLine && t.address === ev.address);
    const props = target ? entry(target.node, 'Properties') : undefined;
    if (!props || props.value.type !== 'map') return undefined;
    const first = props.value.entries[0];
    if (first && first.keyLine <= props.keyLine) return undefined;
    const keyLine = lines[props.keyLine - 1] ?? '';
    if (keyLine.length > MAX_LINE || !/:\s*(?:#.*)?$/.test(keyLine)) return undefined;
    anchorLine = props.keyLine;
    text = spec.insert_property;
  }
  if (anchorLine === undefined || text === undefined) return undefined;
  const header = lines[anchorLine - 1];
  if (header === undefined || header.length > MAX_LINE) return undefined;
  if (doc.kind === 'terraform' && (!header.trimEnd().endsWith('{') || ev.targetSpan.endLine <= anchorLine)) return undefined;
  const indent = childIndent(lines, anchorLine, ev.targetSpan.endLine) ?? indentOf(header) + '  ';
  if (indent.length > MAX_INDENT) return undefined;
  return {
    startLine: anchorLine,
    endLine: anchorLine,
    replacement: `${header}\n${indent}${text}`,
    choose: CHOOSE.test(text),
  };
}
