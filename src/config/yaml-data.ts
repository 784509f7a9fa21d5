/**
 * YAML settings files (the configuration, rule files) read as plain data, safely: duplicate keys
 * found in linear time (the `yaml` package's `uniqueKeys` compares each key with every earlier one:
 * a file of 40,000 keys takes half a minute), nesting bounded, aliases bounded, and every problem a
 * line number plus the parser's own words, never the file's content (see `yamlMessage`).
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';

/** The `yaml` package prints some warnings itself, quoting the file (a collection used as a key). */
export const YAML_LOG_LEVEL = 'error';

/**
 * Messages of the `yaml` package (2.x) that quote the source, and the words to keep of each: a
 * token the lexer could not place, a bad block scalar header, escape, tag or directive, an
 * unresolved alias, a duplicate `!!omap` key. test/cli/config-messages.test.ts provokes each.
 */
const YAML_QUOTING: readonly [RegExp, string][] = [
  [
    /^(Not a YAML token|Block scalar header includes extra characters|Unresolved tag|Could not resolve tag|Not a valid tag|Ordered maps must not include duplicate keys|Unresolved alias \(the anchor must be set before the alias\)): /,
    '$1',
  ],
  [/^(Invalid escape sequence|Unsupported YAML version|Unknown directive) /, '$1'],
  [/^The .* tag has no suffix/, 'A tag has no suffix'],
  [/^(Verbatim tags aren't resolved), so /, '$1'],
  // Every other token the lexer could not place: `${message}: ${JSON.stringify(source)}`.
  [/^(.*?): "/, '$1'],
];

/** The first line of a `yaml` error message, without any part of the file it quotes. */
export function yamlMessage(message: string): string {
  const line = message.split('\n')[0]!;
  for (const [re, words] of YAML_QUOTING) {
    const m = re.exec(line);
    if (m) return words.replace('$1', m[1] ?? '');
  }
  return line;
}

/** Deeper than any settings file needs; the package composes recursively. */
const MAX_DEPTH = 64;

/** A problem with the line it is on, when the parser knows it. */
export type YamlProblem = { line?: number; message: string };
export type YamlData = { data: unknown } | { problems: YamlProblem[] };

/** The document's data, or its problems (line and message), first problems first. */
export function readYamlData(text: string): YamlData {
  const lc = new LineCounter();
  let doc;
  try {
    doc = parseDocument(text, { strict: true, uniqueKeys: false, prettyErrors: false, lineCounter: lc, logLevel: YAML_LOG_LEVEL });
  } catch (e) {
    if (e instanceof RangeError) return { problems: [{ message: `nested more than ${MAX_DEPTH} levels deep` }] };
    throw e;
  }
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => ({
        line: lc.linePos(e.pos[0]).line,
        message: /call stack/i.test(e.message) ? `nested more than ${MAX_DEPTH} levels deep` : yamlMessage(e.message),
      })),
    };
  }
  const structural = checkStructure(doc.contents as YamlNode | null, lc);
  if (structural) return { problems: [structural] };
  try {
    return { data: doc.toJS({ maxAliasCount: 100 }) };
  } catch (e) {
    return { problems: [{ message: yamlMessage(e instanceof Error ? e.message : String(e)) }] };
  }
}

/** The first repeated key of a mapping, or nesting past MAX_DEPTH; walked with a stack, not recursion. */
function checkStructure(root: YamlNode | null, lc: LineCounter): YamlProblem | undefined {
  const stack: { node: YamlNode; depth: number }[] = root ? [{ node: root, depth: 1 }] : [];
  const lineOf = (n: YamlNode) => lc.linePos(n.range?.[0] ?? 0).line;
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (depth > MAX_DEPTH) return { line: lineOf(node), message: `nested more than ${MAX_DEPTH} levels deep` };
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const k = pair.key as YamlNode | null;
        if (k && isScalar(k)) {
          const identity = `${typeof k.value}:${String(k.value)}`;
          if (seen.has(identity)) return { line: lineOf(k), message: 'Map keys must be unique' };
          seen.add(identity);
        }
        const v = pair.value as YamlNode | null;
        if (v && !isAlias(v)) stack.push({ node: v, depth: depth + 1 });
      }
    } else if (isSeq(node)) {
      for (const item of node.items) if (item && !isAlias(item)) stack.push({ node: item as YamlNode, depth: depth + 1 });
    }
  }
  return undefined;
}
