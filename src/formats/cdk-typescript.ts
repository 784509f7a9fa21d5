/**
 * AWS CDK stacks written in TypeScript (src/formats/cdk/typescript-reader.ts): each L1 construct,
 * and each L2 construct of cdk/l2.ts, is the CloudFormation resource it synthesizes, so the
 * CloudFormation rules apply to it as they are (FormatModule.answers); a Step Functions SageMaker
 * task is the training or transform request it sends, answering SageMaker pipeline rules on `Arguments`. Read statically with tree-sitter, never compiled or run.
 */
import type { Document, NotAnArtifact } from '../model.js';
import type { FormatModule } from './module.js';
import { CdkTypeScriptReader } from './cdk/typescript-reader.js';
import { cdkDocument } from './cdk/constructs.js';
import { isCloudFormationType } from './cloudformation.js';
import { guard } from './common.js';
import { syntaxErrorLine } from './grammar.js';
import { SyntaxProblem } from './problem.js';
import { typescriptParser } from './typescript/parser.js';

const KIND = 'cdk-typescript';
/** TypeScript sources; not declaration files, which define nothing. */
const TS_PATH = /\.(?:ts|mts|cts)$/i;
const DECLARATION = /\.d\.[cm]?ts$/i;
const CDK = /^[ \t]*import\b[^;]*?\bfrom[ \t]*["'](?:aws-cdk-lib|@aws-cdk\/)/m;

export const cdkTypeScript: FormatModule = {
  kind: KIND,
  phrase: 'an AWS CDK app in TypeScript',
  address: '`<method>.<construct id>` (`constructor.Config`; the variable when the id is not a literal; `#2` for a second one in the same method)',
  documentAddress: 'module',
  comments: 'typescript',
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
  accepts: (path) => TS_PATH.test(path) && !DECLARATION.test(path),
  claims: () => false,
  detect: (path, text) => TS_PATH.test(path) && !DECLARATION.test(path) && CDK.test(text),
  parse(path, text) {
    return guard(KIND, path, () => parseCdk(path, text));
  },
};

function parseCdk(path: string, text: string): Document | NotAnArtifact {
  const tree = typescriptParser().parse(text);
  if (!tree) throw new SyntaxProblem('the TypeScript parser gave no tree', 1);
  try {
    const root = tree.rootNode;
    if (root.hasError) throw new SyntaxProblem('TypeScript syntax error', syntaxErrorLine(root));
    const reader = new CdkTypeScriptReader(root);
    const targets = reader.read();
    return cdkDocument(KIND, path, text, targets, reader.unread);
  } finally {
    tree.delete();
  }
}
