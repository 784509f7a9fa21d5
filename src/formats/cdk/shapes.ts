/**
 * A CDK property value as the CloudFormation value it synthesizes, by the property's shape in the
 * specification (cdk/spec.ts): a list item by item, a nested type (a struct literal, a
 * `CfnX.YProperty(...)` call in Python) with its keys renamed to CloudFormation names, a tag as
 * `{Key, Value}`, a JSON or map property and a scalar as they are written. The same for Python and
 * TypeScript: what differs is how a language writes a list or a struct (CdkSyntax).
 */
import type { MapEntry, Node } from '../../document.js';
import { cloudFormationName, guessedName, propertiesOf, resourceOf, type Language, type Shape } from './spec.js';

/** Deeper than this, a value is taken as it is written. */
const MAX_DEPTH = 64;

/** How one language writes CDK values, for `converted`. */
export interface CdkSyntax<N> {
  language: Language;
  /** The expression a value stands for (a constant followed to its value), or undefined. */
  resolve(n: N): N | undefined;
  /** The items of a list literal; undefined when it is not one, or cannot be known (`*xs`). */
  items(e: N): N[] | undefined;
  /** The entries of a struct written as one (`kind` says which the reader expects); undefined when it is not one or cannot be known. */
  entries(e: N, kind: 'tag' | 'struct'): { key: string; value: N; line: number }[] | undefined;
  /** A value as the language's value reader reads it (constants, tokens as unknown). */
  value(n: N): Node;
  lines(e: N): { startLine: number; endLine: number };
}

/** The CloudFormation value of `n`, written for a property of shape `shape` of `owner` (a resource type or one of its nested types). */
export function converted<N>(syntax: CdkSyntax<N>, n: N, shape: Shape | undefined, owner: string, depth = 0): Node {
  if (shape === undefined || depth > MAX_DEPTH || shape === 's' || shape === 'j' || shape === 'm') return syntax.value(n);
  const e = syntax.resolve(n);
  if (e === undefined) return syntax.value(n);
  if (Array.isArray(shape)) {
    const items = syntax.items(e);
    if (!items) return syntax.value(n);
    return { type: 'list', items: items.map((i) => converted(syntax, i, shape[0], owner, depth + 1)), ...syntax.lines(e) };
  }
  const kind = shape === 't' ? 'tag' : 'struct';
  const entries = syntax.entries(e, kind);
  if (!entries) return syntax.value(n);
  const type = kind === 'tag' ? undefined : `${resourceOf(owner)}.${shape}`;
  const props = type ? (propertiesOf(type) ?? {}) : { Key: 's', Value: 's' };
  const out: MapEntry[] = [];
  for (const { key, value, line } of entries) {
    const name = (type ? cloudFormationName(type, key, syntax.language) : undefined) ?? guessedName(key, syntax.language);
    const v = converted(syntax, value, props[name], type ?? owner, depth + 1);
    // `None`/`undefined` is not set: left out of the template.
    if (v.type === 'scalar' && v.value === null) continue;
    out.push({ key: name, keyLine: line, value: v });
  }
  return { type: 'map', entries: out, ...syntax.lines(e) };
}
