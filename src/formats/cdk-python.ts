/**
 * AWS CDK stacks written in Python (src/formats/cdk/python-reader.ts): each L1 construct, and each
 * L2 construct of cdk/l2.ts, is the CloudFormation resource it synthesizes, so the CloudFormation
 * rules apply to it as they are (FormatModule.answers); a Step Functions SageMaker task is the
 * training or transform request it sends, answering the SageMaker pipeline rules on `Arguments`. Read statically with tree-sitter, never run: `cdk synth` would execute
 * the app.
 */
import type { Document, NotAnArtifact } from '../model.js';
import type { FormatModule } from './module.js';
import { CdkPythonReader } from './cdk/python-reader.js';
import { cdkDocument } from './cdk/constructs.js';
import { isCloudFormationType } from './cloudformation.js';
import { guard } from './common.js';
import type { ModuleSource } from './python/imports.js';
import { readPythonSource } from './python/source.js';
import { pyImport } from './unread.js';

const KIND = 'cdk-python';
const PY_PATH = /\.py$/i;
const CDK = pyImport('aws_cdk');

export const cdkPython: FormatModule = {
  kind: KIND,
  phrase: 'an AWS CDK app in Python',
  address: '`<function>.<construct id>` (`__init__.EndpointConfig`; `#2` for a second one in the same function)',
  documentAddress: 'module',
  comments: 'python',
  // The CloudFormation resources its constructs synthesize, and the requests of the SageMaker tasks; not read as context (FormatModule.context).
  holds: (type) => isCloudFormationType(type) || type === 'Training' || type === 'Transform',
  context: false,
  root: 'cdk.json',
  fix: null,
  // L1 and L2 constructs answer CloudFormation clauses on their Properties; the Step Functions
  // SageMaker tasks (cdk/l2.ts) are the training and transform requests they send, answering the
  // SageMaker pipeline clauses that read only a step's Arguments.
  answers: [
    { kind: 'cloudformation', under: 'Properties' },
    { kind: 'sagemaker-pipeline', under: 'Arguments' },
  ],
  code: ['aws-cdk'],
  accepts: (path) => PY_PATH.test(path),
  claims: () => false,
  detect: (path, text) => PY_PATH.test(path) && CDK.test(text),
  parse(path, text, options) {
    return guard(KIND, path, () => parseCdk(path, text, options?.modules));
  },
};

function parseCdk(path: string, text: string, modules: ModuleSource | undefined): Document | NotAnArtifact {
  return readPythonSource(path, text, ({ root }) => {
    const reader = new CdkPythonReader(root, path, modules);
    try {
      return cdkDocument(KIND, path, text, reader.read(), reader.unread);
    } finally {
      // wasm memory is not garbage-collected
      reader.dispose();
    }
  });
}
