/**
 * AWS Step Functions state machines in Amazon States Language, JSON or YAML (`*.asl.json`,
 * `*.asl.yaml`, `statemachine/*.json`, or any JSON/YAML file with a top-level `StartAt` + `States`).
 * Targets are every state, those inside `Parallel` branches and `Map` iterators included,
 * addressed `States.<name>` (state names are unique in the whole machine). SAM
 * `DefinitionSubstitutions` placeholders (`${TrainRoleArn}`) are symbolic, except a partition in a
 * task's `Resource` (`arn:${AWS::Partition}:states:::sagemaker:...`), which names no integration.
 *
 * meta: `startAt` and `nested` (state name → the Parallel or Map state it runs inside).
 */
import type { Document, FormatModule, Node, NotAnArtifact, Target } from '../model.js';
import { entryTarget, guard, looksLikeJson, makeDocument, parseStructuredStrict, streamRoot, symbolizePlaceholders } from './common.js';
import { dig, get, items, str } from './tree.js';

const KIND = 'step-functions';
/** `*.asl`, and JSON/YAML (`*.asl.json`, `statemachine/*.json` ...), where the content decides. */
const ASL_PATH = /\.(?:asl|json|ya?ml)$/i;
const ASL_EXTENSION = /\.asl(?:\.json|\.ya?ml)?$/i;
/** In YAML the two keys must sit at the top level (column 0), which a CloudFormation template's inline definition does not. */
const YAML_START_AT = /^["']?StartAt["']?[ \t]*:/m;
const YAML_STATES = /^["']?States["']?[ \t]*:/m;

export interface StepFunctionsMeta {
  startAt: string | undefined;
  nested: Record<string, string>;
}

export const stepFunctions: FormatModule = {
  kind: KIND,
  phrase: 'a Step Functions state machine',
  address: '`States.<name>`',
  documentAddress: 'state-machine',
  comments: 'yaml',
  holds: () => false,
  fix: null,
  answers: [],
  code: [],
  accepts: (path) => ASL_PATH.test(path),
  // `.asl.json` / `.asl.yaml` is the extension the Step Functions tooling writes and reads.
  claims: (path) => ASL_EXTENSION.test(path),
  detect(path, text) {
    if (!ASL_PATH.test(path)) return false;
    if (looksLikeJson(text)) return text.includes('"StartAt"') && text.includes('"States"');
    return YAML_START_AT.test(text) && YAML_STATES.test(text);
  },
  parse(path, text) {
    return guard(KIND, path, () => parseStateMachine(path, text));
  },
};

function parseStateMachine(path: string, text: string): Document | NotAnArtifact {
  const root = symbolizePlaceholders(partitionFree(streamRoot(parseStructuredStrict(text))));
  const states = get(root, 'States');
  if (str(get(root, 'StartAt')) === undefined || states?.type !== 'map') return { notArtifact: 'no top-level `StartAt` and `States`' };
  const meta: StepFunctionsMeta = { startAt: str(get(root, 'StartAt')), nested: {} };
  const targets: Target[] = [];
  collectStates(states, undefined, targets, meta.nested);
  return makeDocument(KIND, path, text, root, targets, { ...meta });
}

/**
 * A task's `Resource` written partition-agnostic (`arn:${AWS::Partition}:states:::sagemaker:...`
 * in a template, `arn:${partition}:...` in a Terraform `templatefile`) names the same integration
 * in every partition: it is read as the `aws` partition's ARN, so the rules know which service the
 * task calls. A placeholder anywhere else in it stays unknown.
 */
function partitionFree(root: Node): Node {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'map') {
      for (const e of n.entries) {
        if (e.key === 'Resource' && e.value.type === 'scalar' && typeof e.value.value === 'string') e.value = { ...e.value, value: e.value.value.replace(PARTITION_PLACEHOLDER, 'arn:aws:') };
        else stack.push(e.value);
      }
    } else if (n.type === 'list') stack.push(...n.items);
  }
  return root;
}

const PARTITION_PLACEHOLDER = /^arn:\$\{[^}]*\}:/;

/** The States maps a Parallel (`Branches[*].States`) or Map (`Iterator`, `ItemProcessor`) state runs. */
function innerStateMaps(state: Node, type: string): Node[] {
  if (type === 'Parallel') return items(get(state, 'Branches')).flatMap((b) => get(b, 'States') ?? []);
  if (type === 'Map') return ['Iterator', 'ItemProcessor'].flatMap((k) => dig(state, k, 'States') ?? []);
  return [];
}

function collectStates(states: Node, parent: string | undefined, out: Target[], nested: Record<string, string>): void {
  if (states.type !== 'map') return;
  for (const e of states.entries) {
    const type = str(get(e.value, 'Type'));
    if (type === undefined) continue; // not a state: every state has a literal Type
    out.push(entryTarget(type, `States.${e.key}`, e));
    if (parent !== undefined) nested[e.key] = parent;
    for (const inner of innerStateMaps(e.value, type)) collectStates(inner, e.key, out, nested);
  }
}
