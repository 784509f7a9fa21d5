/**
 * AWS CloudFormation templates in YAML or JSON (SAM and CDK-synthesised `*.template.json`
 * included). Targets are the resources, addressed by logical ID. Intrinsic functions, short
 * (`!Ref X`) or long (`{"Fn::GetAtt": [...]}`), become symbolic nodes whose refs name the logical
 * IDs, parameters, conditions and mappings they read (pseudo parameters `AWS::*` excepted).
 */
import type { Document, FixInsertion, FormatModule, MapNode, Node, NotAnArtifact, SymbolicNode, Target } from '../model.js';
import { entryTarget, guard, looksLikeJson, makeDocument, parseStructuredStrict } from './common.js';
import { entry, get, items, keys, nodeText, str, transform } from './tree.js';

const KIND = 'cloudformation';
const TEMPLATE_PATH = /\.(?:ya?ml|json|template)$/i;
const VERSION_SIGNATURE = 'AWSTemplateFormatVersion';
/** `Resources:` at the start of a YAML line; in JSON, which may be minified, anywhere. */
const YAML_RESOURCES_SIGNATURE = /^[ \t]*["']?Resources["']?[ \t]*:/m;
const JSON_RESOURCES_SIGNATURE = /"Resources"\s*:/;
const AWS_TYPE_SIGNATURE = /["']?Type["']?[ \t]*:[ \t]*["']?AWS::/;
/** A JSON parameter file: a `[{"ParameterKey": ...}]` list, or an object opening with `"Parameters"`. */
const PARAMETER_FILE_SIGNATURE = /"ParameterKey"[ \t]*:|^\s*\{\s*"Parameters"\s*:/;

/** A CloudFormation resource type: `AWS::S3::Bucket`, `Custom::Thing` is not one a rule names. */
const CFN_TYPE = /^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+$/;

/** Whether a resource type is a CloudFormation one (the CDK kinds hold the same). */
export const isCloudFormationType = (type: string): boolean => CFN_TYPE.test(type);

/**
 * A missing property goes first under `Properties:`, and only in a YAML block mapping (`Properties:`
 * ending its line, entries below): inserting into JSON would need a comma on a neighbouring line,
 * into a flow mapping a comma inside the braces.
 */
const insertProperty: FormatModule['fix'] = (spec, ev, doc, lines): FixInsertion | undefined => {
  if (!spec.insert_property || !ev.targetSpan) return undefined;
  const start = ev.targetSpan.startLine;
  const target = doc.targets.find((t) => t.startLine === start && t.address === ev.address);
  const props = target ? entry(target.node, 'Properties') : undefined;
  if (!props || props.value.type !== 'map') return undefined;
  const first = props.value.entries[0];
  if (first && first.keyLine <= props.keyLine) return undefined;
  if (!/:\s*(?:#.*)?$/.test(lines[props.keyLine - 1] ?? '')) return undefined;
  return { line: props.keyLine, text: spec.insert_property };
};

export const cloudformation: FormatModule = {
  kind: KIND,
  phrase: 'a CloudFormation template',
  address: "the resource's logical ID (`TrainingBucket`)",
  documentAddress: 'template',
  comments: 'yaml',
  holds: (type) => CFN_TYPE.test(type),
  fix: insertProperty,
  answers: [],
  code: [],
  accepts: (path) => TEMPLATE_PATH.test(path),
  claims: () => false,
  detect(path, text) {
    if (!TEMPLATE_PATH.test(path)) return false;
    if (text.includes(VERSION_SIGNATURE)) return true;
    const json = looksLikeJson(text);
    const resources = json ? JSON_RESOURCES_SIGNATURE : YAML_RESOURCES_SIGNATURE;
    if (resources.test(text) && AWS_TYPE_SIGNATURE.test(text)) return true;
    // Parameter files are let through so that parse can say what they are (a clearer reason than
    // "no kind recognises this file" for a `prod-config.json` next to a template).
    return json && PARAMETER_FILE_SIGNATURE.test(text);
  },
  parse(path, text) {
    return guard(KIND, path, () => parseTemplate(path, text));
  },
};

function parseTemplate(path: string, text: string): Document | NotAnArtifact {
  const docs = parseStructuredStrict(text, { tagRefs: shortFormRefs });
  if (docs.length !== 1) return { notArtifact: docs.length === 0 ? 'empty file' : 'a multi-document YAML stream, not a template' };
  const root = transform(docs[0]!, longForm);
  if (isParameterFile(root)) return { notArtifact: 'a CloudFormation parameter file, not a template' };
  if (!isTemplate(root)) return { notArtifact: 'no AWSTemplateFormatVersion and no Resources of AWS:: types' };
  return makeDocument(KIND, path, text, root, resourceTargets(root));
}

// ---------------------------------------------------------------------------------------------
// Structure
// ---------------------------------------------------------------------------------------------

/** Top-level keys of a CodePipeline template configuration (`{"Parameters": {...}}`) file. */
const PARAMETER_FILE_KEYS = new Set(['Parameters', 'Tags', 'StackPolicy']);

function isParameterFile(root: Node): boolean {
  if (root.type === 'list') return root.items.length > 0 && root.items.every((i) => entry(i, 'ParameterKey') !== undefined);
  return get(root, 'Parameters')?.type === 'map' && keys(root).every((k) => PARAMETER_FILE_KEYS.has(k));
}

function isTemplate(root: Node): boolean {
  if (root.type !== 'map') return false;
  if (entry(root, VERSION_SIGNATURE)) return true;
  const resources = get(root, 'Resources');
  return resources?.type === 'map' && resources.entries.some((e) => resourceType(e.value)?.startsWith('AWS::'));
}

function resourceType(resource: Node): string | undefined {
  return str(get(resource, 'Type'));
}

/** One target per resource; entries without a literal `Type` (invalid, or a `Fn::ForEach` loop) are not resources. */
function resourceTargets(root: Node): Target[] {
  const resources = get(root, 'Resources');
  if (resources?.type !== 'map') return [];
  const out: Target[] = [];
  for (const e of resources.entries) {
    const type = resourceType(e.value);
    if (!type) continue;
    const t = entryTarget(type, e.key, e);
    const variants = conditionVariants(e.value);
    if (variants) t.variants = variants;
    out.push(t);
  }
  return out;
}

/** Combinations of `Fn::If` branches a resource is read in, at most; beyond, its values stay unknown. */
const MAX_VARIANTS = 8;

/**
 * The resource as it is in each combination of the `Fn::If` branches of its `Properties` (around
 * the whole block, or around a property's value), `!Ref AWS::NoValue` leaving the property out: a
 * rule fails only when it fails in every one (Target.variants). Undefined when it has none, or
 * more than MAX_VARIANTS.
 */
function conditionVariants(resource: Node): Node[] | undefined {
  if (resource.type !== 'map') return undefined;
  const props = entry(resource, 'Properties');
  if (!props) return undefined;
  const blocks: (Node | undefined)[] = ifBranches(props.value) ?? [props.value];
  let variants: (Node | undefined)[] = [];
  for (const block of blocks) {
    let maps: (Node | undefined)[] = [block];
    if (block?.type === 'map') {
      for (const e of block.entries) {
        const branches = ifBranches(e.value);
        if (!branches) continue;
        maps = maps.flatMap((m) => branches.map((b) => withEntry(m as MapNode, e.key, b)));
        if (maps.length > MAX_VARIANTS) return undefined;
      }
    }
    variants = [...variants, ...maps];
    if (variants.length > MAX_VARIANTS) return undefined;
  }
  if (variants.length < 2) return undefined;
  return variants.map((v) => withEntry(resource, 'Properties', v));
}

/** The two branches of an `Fn::If`, a `!Ref AWS::NoValue` branch as undefined (nothing there). */
function ifBranches(n: Node): (Node | undefined)[] | undefined {
  if (n.type !== 'symbolic' || !n.expr.startsWith('!If ') || n.inner?.type !== 'list' || n.inner.items.length !== 3) return undefined;
  return n.inner.items.slice(1).map((b) => (b.type === 'symbolic' && /^!Ref\s+AWS::NoValue$/.test(b.expr.trim()) ? undefined : b));
}

/** A copy of a map with one key's value replaced, or the key left out when the value is undefined. */
function withEntry(m: MapNode, key: string, value: Node | undefined): MapNode {
  const entries = value === undefined ? m.entries.filter((e) => e.key !== key) : m.entries.map((e) => (e.key === key ? { ...e, value } : e));
  return { ...m, entries };
}

// ---------------------------------------------------------------------------------------------
// Intrinsic functions
// ---------------------------------------------------------------------------------------------

/** Functions whose list arguments may hold `{"Condition": name}`, the only place that map is an intrinsic. */
const CONDITION_COMBINATORS = new Set(['Fn::And', 'Fn::Or', 'Fn::Not']);

/** Long-form name of a short-form tag: `!Ref` → `Ref`, `!GetAtt` → `Fn::GetAtt`. */
function longName(tag: string): string {
  const name = tag.slice(1);
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
}

/** Short-form spelling of a function, for the symbol's expression. */
function shortName(fn: string): string {
  return '!' + (fn.startsWith('Fn::') ? fn.slice(4) : fn);
}

function shortFormRefs(tag: string, inner: Node): string[] {
  return intrinsicRefs(longName(tag), inner);
}

/**
 * The function name of a long-form intrinsic: a single-key map `Ref` or `Fn::*`. `Fn::ForEach::*`
 * is a loop key of the Resources/Outputs sections (LanguageExtensions), not a value.
 */
function intrinsicName(node: Node): string | undefined {
  if (node.type !== 'map' || node.entries.length !== 1) return undefined;
  const key = node.entries[0]!.key;
  if (key === 'Ref' || (key.startsWith('Fn::') && !key.startsWith('Fn::ForEach::'))) return key;
  return undefined;
}

/**
 * `transform` callback: long forms become symbols. Short forms already are (parseYaml's tagRefs);
 * their arguments are rewritten too, so `!If [C, {"Ref": X}, ...]` holds a symbol inside.
 */
function longForm(n: Node): Node {
  if (n.type === 'symbolic') return n.inner ? { ...n, inner: shortFormInner(n) } : n;
  const fn = intrinsicName(n);
  if (!fn) return n;
  const arg = (n as MapNode).entries[0]!.value;
  const inner = CONDITION_COMBINATORS.has(fn) ? withConditionSymbols(arg) : arg;
  const sym: SymbolicNode = {
    type: 'symbolic',
    expr: `${shortName(fn)} ${nodeText(inner)}`,
    refs: intrinsicRefs(fn, arg),
    inner,
    startLine: n.startLine,
    endLine: n.endLine,
  };
  return sym;
}

function shortFormInner(sym: SymbolicNode): Node {
  const inner = transform(sym.inner!, longForm);
  // parseYaml renders a tagged node as `<tag> <value>`, so the tag is the expression's first word.
  const tag = sym.expr.slice(0, sym.expr.indexOf(' '));
  return CONDITION_COMBINATORS.has(longName(tag)) ? withConditionSymbols(inner) : inner;
}

/** In the arguments of `Fn::And`/`Or`/`Not`, `{"Condition": X}` items become `!Condition X` symbols. */
function withConditionSymbols(arg: Node): Node {
  if (arg.type !== 'list') return arg;
  return { ...arg, items: arg.items.map((i) => conditionSymbol(i) ?? i) };
}

function conditionSymbol(n: Node): SymbolicNode | undefined {
  if (n.type !== 'map' || n.entries.length !== 1 || n.entries[0]!.key !== 'Condition') return undefined;
  const arg = n.entries[0]!.value;
  return { type: 'symbolic', expr: `!Condition ${nodeText(arg)}`, refs: nameRefs(arg), inner: arg, startLine: n.startLine, endLine: n.endLine };
}

/** Logical names an intrinsic function reads, given its long-form name and its argument. */
function intrinsicRefs(fn: string, arg: Node): string[] {
  switch (fn) {
    case 'Ref':
    case 'Condition':
      return nameRefs(arg);
    case 'Fn::GetAtt':
      return getAttRefs(arg);
    case 'Fn::Sub':
      return subRefs(arg);
    case 'Fn::If': // [condition name, then, else]
    case 'Fn::FindInMap': // [mapping name, key, key]
      return unique([...nameRefs(items(arg)[0]), ...nestedRefs(items(arg).slice(1))]);
    default:
      return CONDITION_COMBINATORS.has(fn) ? unique(items(arg).flatMap((i) => conditionSymbol(i)?.refs ?? nestedRefs([i]))) : nestedRefs([arg]);
  }
}

/** A logical ID or parameter name given as a string; `AWS::Region` and other pseudo parameters are not refs. */
function nameRefs(arg: Node | undefined): string[] {
  if (!arg) return [];
  const name = str(arg);
  if (name === undefined) return nestedRefs([arg]);
  return name.startsWith('AWS::') ? [] : [name];
}

/** `A.Attr` or `[A, Attr]` → A (the attribute name may itself be a `!Ref`). */
function getAttRefs(arg: Node): string[] {
  const whole = str(arg);
  if (whole !== undefined) return [whole.split('.')[0]!];
  const [resource, ...rest] = items(arg);
  return unique([...nameRefs(resource), ...nestedRefs(rest)]);
}

const SUB_VARIABLE = /\$\{([^}]*)\}/g;

/**
 * `Fn::Sub` reads the `${Name}` / `${Name.Attr}` variables of its string, except `${!Literal}`,
 * pseudo parameters and the names its variable map defines (whose values count instead).
 */
function subRefs(arg: Node): string[] {
  const [template, variables] = arg.type === 'list' ? [arg.items[0], arg.items[1]] : [arg, undefined];
  const local = new Set(keys(variables));
  const refs: string[] = [];
  for (const m of (str(template) ?? '').matchAll(SUB_VARIABLE)) {
    const name = m[1]!.trim();
    if (name.startsWith('!') || name.startsWith('AWS::')) continue;
    const id = name.split('.')[0]!;
    if (!local.has(id)) refs.push(id);
  }
  return unique([...refs, ...(variables ? nestedRefs([variables]) : [])]);
}

/**
 * Refs of the intrinsics inside some nodes: symbols carry theirs; long forms not yet converted
 * (inside a short form, whose refs parseYaml computes before `transform` runs) are read here.
 */
function nestedRefs(nodes: Node[]): string[] {
  const out: string[] = [];
  for (const n of nodes) {
    if (n.type === 'symbolic') out.push(...n.refs);
    else if (n.type === 'list') out.push(...nestedRefs(n.items));
    else if (n.type === 'map') {
      const fn = intrinsicName(n);
      out.push(...(fn ? intrinsicRefs(fn, n.entries[0]!.value) : nestedRefs(n.entries.map((e) => e.value))));
    }
  }
  return unique(out);
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
