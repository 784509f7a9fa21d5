/**
 * SageMaker in Python and notebooks, read statically (never imported or run): the boto3 SageMaker
 * client's `create_*` calls (rules/mappings/boto3-sagemaker.yaml) and the SDK's estimators,
 * processors, models and `.deploy()` (rules/mappings/sagemaker-sdk.yaml, python/sdk.ts). Each is a
 * target whose node holds the API request under the key where a declarative format holds the same
 * request (`Arguments` of a pipeline step, `Properties` of a CloudFormation resource), so the rules
 * of those formats apply as they are (FormatModule.answers). Values are resolved as a reader would
 * (python/values.ts); what cannot be is unknown, and `**kwargs` makes a whole request unknown.
 *
 * A `Pipeline(...)` the file builds is read as the definition the SDK writes (python/pipeline.ts),
 * an embedded `sagemaker-pipeline` document: its steps carry the jobs, which are then no targets of
 * their own. What a file uses of the SDK beyond all that is named in the document's `meta.unread`,
 * and the file is listed as partly reviewed (parse-change.ts).
 */
import type { Document, Evaluation, FixInsertion, FixSpec, NotAnArtifact } from '../model.js';
import type { FormatModule } from './module.js';
import { guard, makeDocument, targetEntry, targetsRoot } from './common.js';
import { toFileLines } from './python/notebook.js';
import type { ModuleSource } from './python/imports.js';
import type { FixSite } from './python/reader.js';
import { readSagemakerCode } from './python/sagemaker-code.js';
import { readPythonSource } from './python/source.js';
import { BOTO3_SAGEMAKER, pyImport } from './unread.js';

const KIND = 'sagemaker-python';

const CODE_PATH = /\.(?:py|ipynb)$/i;
const BOTO3 = pyImport('boto3');
const SAGEMAKER = pyImport('sagemaker');

export const sagemakerPython: FormatModule = {
  kind: KIND,
  phrase: 'a SageMaker Python file',
  address: '`<function>.<call>` (`run_training.create_training_job`; `<module>` outside functions, `#2` for a second call in one function)',
  documentAddress: 'module',
  comments: 'python',
  holds: () => false,
  fix: insertArgument,
  answers: [
    { kind: 'sagemaker-pipeline', under: 'Arguments' },
    { kind: 'cloudformation', under: 'Properties' },
  ],
  code: ['boto3-sagemaker', 'sagemaker'],
  accepts: (path) => CODE_PATH.test(path),
  claims: () => false,
  detect: (path, text) => CODE_PATH.test(path) && ((BOTO3.test(text) && BOTO3_SAGEMAKER.test(text)) || SAGEMAKER.test(text)),
  parse(path, text, options) {
    return guard(KIND, path, () => parsePython(path, text, options?.modules));
  },
};

/**
 * A missing argument is suggested as a new first argument of the call that builds the request
 * (the estimator of a training step, the boto3 call), on a line of its own below the `(`: no other
 * line changes, whatever the trailing commas. Only where one argument sets the missing path
 * directly (`volume_kms_key` for `ResourceConfig.VolumeKmsKeyId`; for boto3 a top-level key), the
 * call does not name it already, and `*args`/`**kwargs` cannot set it.
 */
function insertArgument(spec: FixSpec, ev: Evaluation, doc: Document): FixInsertion | undefined {
  const value = spec.insert_argument;
  const attribute = ev.attribute;
  const all = doc.meta?.['fixSites'] as Record<string, FixSite[]> | undefined;
  const sites = all && Object.hasOwn(all, ev.address) ? all[ev.address] : undefined;
  if (value === undefined || attribute === undefined || !sites) return undefined;
  for (const site of [...sites].sort((a, b) => b.prefix.length - a.prefix.length)) {
    if (site.prefix !== '' && !attribute.startsWith(`${site.prefix}.`)) continue;
    const rest = site.prefix === '' ? attribute : attribute.slice(site.prefix.length + 1);
    const argument = site.keywords ? (rest.includes('.') || rest.includes('[') ? undefined : rest) : site.arguments?.[rest];
    if (argument === undefined) continue;
    if (site.given.includes(argument) || site.taken.includes(rest)) return undefined;
    // A value may end with a comment naming what to choose; the comma goes before it.
    const comment = /\s+#/.exec(value);
    return { line: site.open, text: comment ? `${argument}=${value.slice(0, comment.index)},${value.slice(comment.index)}` : `${argument}=${value},` };
  }
  return undefined;
}

/** Reads the SageMaker work of a Python file or notebook (python/sagemaker-code.ts). */
function parsePython(path: string, text: string, modules: ModuleSource | undefined): Document | NotAnArtifact {
  return readPythonSource(path, text, ({ root, fileLine, notebook }) =>
    readSagemakerCode(root, path, text, modules, ({ targets, embedded, notes, fixSites }) => {
      toFileLines(targets, embedded, fileLine);
      // What the file uses of the SDK that is not read: parse-change.ts lists it as partly reviewed.
      if (targets.length === 0 && embedded.length === 0) {
        const none = { notArtifact: 'no SageMaker call or construct this reviewer reads' };
        return notes.length > 0 ? { ...none, unread: notes.join('; ') } : none;
      }
      const rootNode = targetsRoot(targets.map(targetEntry), text);
      const meta: Record<string, unknown> = {};
      if (notes.length > 0) meta['unread'] = notes.join('; ');
      // Fix suggestions edit lines of the .py file; a notebook's code lives in JSON strings.
      if (!notebook) meta['fixSites'] = fixSites();
      const doc = makeDocument(KIND, path, text, rootNode, targets, meta);
      if (embedded.length > 0) doc.embedded = embedded;
      return doc;
    }),
  );
}
