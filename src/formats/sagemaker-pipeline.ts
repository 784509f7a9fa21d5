/**
 * SageMaker Pipelines definitions: JSON with a `Steps` list (`pipeline-definition.json`, and
 * Terraform `templatefile` inputs `*.json.tpl`). Targets are every step, those inside a Condition's
 * `IfSteps`/`ElseSteps` included, addressed by step `Name`. Pipeline expressions (`Get`,
 * `Std:Join`, `Std:JsonGet`) and template placeholders (`${var}`) are symbolic.
 *
 * meta: `parameters` (names of the pipeline Parameters) and `nested` (step name → name of the
 * Condition step it sits under), so a rule can tell whether a RegisterModel step is gated.
 */
import type { Document, FormatModule, ListNode, Node, NotAnArtifact, SymbolicNode, Target } from '../model.js';
import { closingBrace, guard, makeDocument, parseJsonStrict, symbolizePlaceholders, target } from './common.js';
import { dig, get, items, nodeText, str, transform } from './tree.js';

const KIND = 'sagemaker-pipeline';
const PIPELINE_PATH = /\.json(?:\.tpl)?$/i;
const TEMPLATE_PATH = /\.tpl$/i;
const STEPS_SIGNATURE = /"Steps"\s*:\s*\[/;

export interface SagemakerPipelineMeta {
  parameters: string[];
  nested: Record<string, string>;
}

export const sagemakerPipeline: FormatModule = {
  kind: KIND,
  phrase: 'a SageMaker pipeline definition',
  address: "the step's name",
  documentAddress: 'pipeline',
  comments: 'none',
  holds: () => false,
  fix: null,
  answers: [],
  code: [],
  accepts: (path) => PIPELINE_PATH.test(path),
  claims: () => false,
  detect(path, text) {
    return PIPELINE_PATH.test(path) && STEPS_SIGNATURE.test(text) && text.includes('"Type"');
  },
  parse(path, text) {
    return guard(KIND, path, () => parsePipeline(path, text));
  },
};

function parsePipeline(path: string, text: string): Document | NotAnArtifact {
  const template = TEMPLATE_PATH.test(path);
  let root = transform(parseJsonStrict(template ? quoteBarePlaceholders(text) : text), expression);
  if (template) root = symbolizePlaceholders(root);
  const steps = get(root, 'Steps');
  if (!isStepList(steps)) return { notArtifact: 'no `Steps` list whose items have `Name` and `Type`' };
  const meta: SagemakerPipelineMeta = { parameters: parameterNames(root), nested: {} };
  const targets: Target[] = [];
  collectSteps(steps, undefined, targets, meta.nested);
  return makeDocument(KIND, path, text, root, targets, { ...meta });
}

/** The meta of a pipeline definition's root (its Parameters' names, which step sits under which Condition), for a definition built elsewhere (python/pipeline.ts). */
export function pipelineMeta(root: Node): SagemakerPipelineMeta {
  const meta: SagemakerPipelineMeta = { parameters: parameterNames(root), nested: {} };
  collectSteps(get(root, 'Steps'), undefined, [], meta.nested);
  return meta;
}

// ---------------------------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------------------------

function isStepList(steps: Node | undefined): steps is ListNode {
  return steps?.type === 'list' && steps.items.length > 0 && steps.items.every((s) => stepName(s) !== undefined && stepType(s) !== undefined);
}

/** A step's name; in a template it may be a placeholder, whose text then names it. */
function stepName(step: Node): string | undefined {
  const name = get(step, 'Name');
  return name?.type === 'symbolic' ? name.expr : str(name);
}

function stepType(step: Node): string | undefined {
  return str(get(step, 'Type'));
}

const BRANCHES = ['IfSteps', 'ElseSteps'];

function collectSteps(steps: Node | undefined, parent: string | undefined, out: Target[], nested: Record<string, string>): void {
  for (const step of items(steps)) {
    const name = stepName(step);
    const type = stepType(step);
    if (name === undefined || type === undefined) continue;
    out.push(target(type, name, name, step));
    if (parent !== undefined) nested[name] = parent;
    if (type === 'Condition') for (const b of BRANCHES) collectSteps(dig(step, 'Arguments', b), name, out, nested);
  }
}

function parameterNames(root: Node): string[] {
  return items(get(root, 'Parameters')).flatMap((p) => str(get(p, 'Name')) ?? []);
}

// ---------------------------------------------------------------------------------------------
// Pipeline expressions
// ---------------------------------------------------------------------------------------------

const EXPRESSIONS = new Set(['Get', 'Std:Join', 'Std:JsonGet']);

/** `transform` callback: `{"Get": ...}`, `{"Std:Join": ...}`, `{"Std:JsonGet": ...}` become symbols. */
function expression(n: Node): Node {
  if (n.type !== 'map' || n.entries.length !== 1) return n;
  const { key, value } = n.entries[0]!;
  if (!EXPRESSIONS.has(key)) return n;
  const sym: SymbolicNode = { type: 'symbolic', expr: nodeText(n), refs: expressionRefs(key, value), inner: value, startLine: n.startLine, endLine: n.endLine };
  return sym;
}

/**
 * `Get` reads `Parameters.X`, `Steps.Name` (whatever property of the step follows) or
 * `Execution.X`; Join and JsonGet read what the expressions inside them read.
 */
function expressionRefs(key: string, value: Node): string[] {
  const path = str(value);
  if (key === 'Get' && path !== undefined) return [path.split('.').slice(0, 2).join('.')];
  return [...new Set(symbolRefs(value))];
}

/** Refs of the symbols inside a node (inner expressions are converted first: transform is bottom-up). */
function symbolRefs(n: Node): string[] {
  if (n.type === 'symbolic') return n.refs;
  if (n.type === 'list') return n.items.flatMap(symbolRefs);
  if (n.type === 'map') return n.entries.flatMap((e) => symbolRefs(e.value));
  return [];
}

// ---------------------------------------------------------------------------------------------
// Terraform templates
// ---------------------------------------------------------------------------------------------

/**
 * A `templatefile` placeholder may stand where a JSON value goes (`"InstanceCount": ${count}`),
 * which is not JSON. The trick: wrap each such bare `${...}` in quotes, so the file parses and the
 * value becomes a string holding the placeholder itself, which `symbolizePlaceholders` then turns
 * into a symbol like any quoted placeholder. Lines do not move: a placeholder spanning lines is
 * followed by the newlines it held. Placeholders inside strings are left as they are; template
 * directives (`%{ if }`) are not handled and make the file a ParseError.
 */
export function quoteBarePlaceholders(text: string): string {
  if (!text.includes('${')) return text;
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === '$' && text[i + 1] === '{') {
      const end = closingBrace(text, i + 1);
      if (end === -1) break; // unterminated: let the JSON parser report it
      const placeholder = text.slice(i, end + 1);
      out += text.slice(from, i) + JSON.stringify(placeholder) + '\n'.repeat(placeholder.split('\n').length - 1);
      from = end + 1;
      i = end;
    }
  }
  return out + text.slice(from);
}
