/**
 * Suggestions GitHub can commit, for the safe case only: inserting an attribute or property a rule
 * found missing. The suggestion replaces the target's opening line with itself plus the new line,
 * indented like its siblings. A value the user must choose is written `<like-this>` and flagged.
 */
import type { Document, Evaluation, Finding, Rule } from './model.js';
import { entry } from './formats/tree.js';

const CHOOSE = /<[^<>\s][^<>]*>/;

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
    // Only YAML templates: inserting into JSON would need a comma on a neighbouring line.
    const target = doc.targets.find((t) => t.startLine === ev.targetSpan!.startLine && t.address === ev.address);
    const props = target ? entry(target.node, 'Properties') : undefined;
    if (!props || props.value.type !== 'map' || lines[props.keyLine - 1]?.trimEnd().endsWith('{')) return undefined;
    anchorLine = props.keyLine;
    text = spec.insert_property;
  }
  if (anchorLine === undefined || text === undefined) return undefined;
  const header = lines[anchorLine - 1];
  if (header === undefined) return undefined;
  if (doc.kind === 'terraform' && !header.trimEnd().endsWith('{')) return undefined;
  const indent = childIndent(lines, anchorLine, ev.targetSpan.endLine) ?? indentOf(header) + '  ';
  return {
    startLine: anchorLine,
    endLine: anchorLine,
    replacement: `${header}\n${indent}${text}`,
    choose: CHOOSE.test(text),
  };
}
