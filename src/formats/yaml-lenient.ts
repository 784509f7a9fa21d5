/**
 * What PyYAML (and so the KFP SDK, the SageMaker SDK and most hand-written tooling) accepts and the
 * YAML 1.2 specification does not: a quoted scalar or a flow collection (`{...}`, `[...]`) whose
 * continuation lines sit at or left of the indentation of the key that holds it.
 *
 *     command: "python -m train
 *     --epochs 3"                 <- PyYAML: one string; the spec: the scalar is not closed
 *
 * The continuation lines of such values are moved right, just past the key, which changes nothing
 * of their value (a flow scalar's line breaks fold, leading spaces dropped) and no line number.
 * Used only when a file does not parse as it is (tree.ts), so a file the spec accepts is read
 * exactly as written. Block scalars (`|`, `>`) and comments are skipped; nothing is evaluated.
 */

type Mode = 'dq' | 'sq' | 'flow';

/** The text with the continuation lines of open flow values indented past their key; undefined when there is none. */
export function indentFlowContinuations(text: string): string | undefined {
  const lines = text.split('\n');
  let stack: Mode[] = [];
  let parentIndent = 0;
  let blockIndent: number | undefined;
  let changed = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const indent = indentOf(line);
    const blank = line.trim() === '';
    if (blockIndent !== undefined) {
      // Inside a block scalar: its lines are text, not YAML.
      if (blank || indent > blockIndent) continue;
      blockIndent = undefined;
    }
    if (stack.length > 0) {
      if (!blank && indent <= parentIndent) {
        lines[i] = ' '.repeat(parentIndent + 1 - indent) + line;
        changed = true;
      }
      stack = scan(line, 0, stack);
      continue;
    }
    if (blank || /^\s*#/.test(line) || /^(---|\.\.\.)(\s|$)/.test(line)) continue;
    const start = valueStart(line);
    if (start === undefined) continue;
    const first = line[start];
    if (first === '|' || first === '>') {
      if (/^[|>][-+0-9]*\s*(#.*)?$/.test(line.slice(start))) blockIndent = indent;
      continue;
    }
    if (first !== '"' && first !== "'" && first !== '{' && first !== '[') continue;
    stack = scan(line, start, []);
    if (stack.length > 0) parentIndent = indent;
  }
  return changed ? lines.join('\n') : undefined;
}

function indentOf(line: string): number {
  let n = 0;
  while (n < line.length && line[n] === ' ') n++;
  return n;
}

/**
 * Where the value of a block line starts: after the `- ` of sequence entries and after the `: `
 * of a key (plain or quoted); undefined when the line holds no value (a key alone).
 */
function valueStart(line: string): number | undefined {
  let i = indentOf(line);
  while (line[i] === '-' && (line[i + 1] === ' ' || i + 1 === line.length)) {
    i += 1;
    while (line[i] === ' ') i++;
  }
  if (i >= line.length) return undefined;
  // A quoted key: `"key": value`; a quoted value otherwise.
  if (line[i] === '"' || line[i] === "'") {
    const end = closingQuote(line, i);
    if (end === undefined) return i;
    let j = end + 1;
    while (line[j] === ' ') j++;
    if (line[j] !== ':') return i;
    j++;
    while (line[j] === ' ') j++;
    return j < line.length ? j : undefined;
  }
  if (line[i] === '{' || line[i] === '[') return i;
  // A plain key ends at the first `: ` (a plain scalar cannot hold one).
  const colon = line.indexOf(': ', i);
  if (colon === -1) return undefined;
  let j = colon + 2;
  while (line[j] === ' ') j++;
  return j < line.length ? j : undefined;
}

/** The index of the quote that closes the one at `open`, on this line. */
function closingQuote(line: string, open: number): number | undefined {
  const q = line[open];
  for (let i = open + 1; i < line.length; i++) {
    if (q === '"' && line[i] === '\\') i++;
    else if (line[i] === q) {
      if (q === "'" && line[i + 1] === "'") i++;
      else return i;
    }
  }
  return undefined;
}

/** Scans `line` from `from` with the modes open before it; returns the modes still open at its end. */
function scan(line: string, from: number, open: Mode[]): Mode[] {
  const stack = [...open];
  for (let i = from; i < line.length; i++) {
    const c = line[i]!;
    const mode = stack[stack.length - 1];
    if (mode === 'dq') {
      if (c === '\\') i++;
      else if (c === '"') stack.pop();
    } else if (mode === 'sq') {
      if (c === "'") {
        if (line[i + 1] === "'") i++;
        else stack.pop();
      }
    } else if (mode === 'flow') {
      if (c === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) break;
      if (c === '{' || c === '[') stack.push('flow');
      else if (c === '}' || c === ']') stack.pop();
      else if ((c === '"' || c === "'") && startsToken(line, i)) stack.push(c === '"' ? 'dq' : 'sq');
    } else {
      // Nothing open: a value begins here (the caller found its start).
      if (c === '"') stack.push('dq');
      else if (c === "'") stack.push('sq');
      else if (c === '{' || c === '[') stack.push('flow');
      else break;
    }
    if (stack.length === 0) break;
  }
  return stack;
}

/** Whether a quote at `i` inside a flow collection opens a quoted scalar (not one inside a plain word). */
function startsToken(line: string, i: number): boolean {
  let j = i - 1;
  while (j >= 0 && (line[j] === ' ' || line[j] === '\t')) j--;
  return j < 0 || line[j] === '{' || line[j] === '[' || line[j] === ',' || line[j] === ':';
}
