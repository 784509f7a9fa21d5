/**
 * AWS CDK apps in TypeScript, read statically: L1 constructs as the CloudFormation resources they
 * synthesize (camelCase props named as the CDK's specification says, struct literals converted,
 * JSON and map properties verbatim), so the CloudFormation rules apply to them as they are; what a
 * construct's later changes or the app's Tags may set is unknown; L2 constructs are named as not
 * read; `//` comments carry suppressions.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commentsOf } from '../../src/comments.js';
import { createEngine } from '../../src/engine.js';
import { classify } from '../../src/formats/index.js';
import type { Document, MapNode, Node } from '../../src/model.js';
import { changeSetOf, reviewer } from '../helpers/engine.js';

await createEngine();
const review = await reviewer();

const STACK = readFileSync(new URL('../fixtures/cdk/ml-stack.ts', import.meta.url), 'utf8');

function read(text: string, path = 'lib/ml-stack.ts'): Document {
  const c = classify(path, text);
  if (c.type !== 'document') throw new Error(`not read: ${JSON.stringify(c)}`);
  return c.document;
}
const props = (doc: Document, address: string): MapNode => {
  const t = doc.targets.find((x) => x.address === address);
  if (!t || t.node.type !== 'map') throw new Error(`no target ${address}`);
  return t.node.entries[0]!.value as MapNode;
};
const get = (m: Node | undefined, key: string): Node | undefined => (m?.type === 'map' ? m.entries.find((e) => e.key === key)?.value : undefined);
const reviewed = (text: string, path = 'lib/ml-stack.ts') =>
  review(changeSetOf([{ path, status: 'added', base: null, head: text }], { tree: ['CODEOWNERS', 'docs/ml-profile.md'], contextComplete: false }));

describe('AWS CDK L1 constructs in TypeScript', () => {
  it('are the CloudFormation resources they synthesize, with the CloudFormation property names', () => {
    const doc = read(STACK);
    expect(doc.kind).toBe('cdk-typescript');
    expect(doc.targets.map((t) => [t.type, t.address, t.startLine])).toEqual([
      ['AWS::SageMaker::NotebookInstance', 'constructor.Notebook', 12],
      ['AWS::SageMaker::Model', 'constructor.Model', 18],
      ['AWS::SageMaker::EndpointConfig', 'constructor.Config', 24],
      ['AWS::S3::Bucket', 'constructor.Data', 35],
      // An L2 bucket (test/formats/cdk-l2.test.ts): the resource it synthesizes.
      ['AWS::S3::Bucket', 'constructor.Logs', 37],
    ]);
    // `volumeSizeInGb` is VolumeSizeInGB: looked up, not capitalised back.
    expect(get(props(doc, 'constructor.Notebook'), 'VolumeSizeInGB')).toMatchObject({ value: 5 });
    const container = get(props(doc, 'constructor.Model'), 'PrimaryContainer');
    expect(get(get(container, 'Environment'), 'LOG_LEVEL')).toMatchObject({ value: 'info' });
    const config = props(doc, 'constructor.Config');
    // A constant object in a list, converted like a literal one, positioned where it is written.
    const variant = (get(config, 'ProductionVariants') as { items: Node[] }).items[0];
    expect(get(variant, 'InitialInstanceCount')).toMatchObject({ value: 1, startLine: 23 });
    expect(get(variant, 'ModelName')).toMatchObject({ type: 'symbolic' });
    expect(get(config, 'KmsKeyId')).toMatchObject({ value: 'arn:aws:kms:eu-west-1:111122223333:key/k' });
    expect((get(config, 'Tags') as { items: Node[] }).items[0]).toMatchObject({ entries: [expect.objectContaining({ key: 'Key' }), expect.objectContaining({ key: 'Value' })] });
  });

  it('run the CloudFormation rules on the lines of the props', () => {
    const r = reviewed(STACK);
    const on = (rule: string) => r.findings.filter((f) => f.rule === rule && f.address !== 'constructor.Logs').map((f) => `${f.address}@${f.startLine}`);
    expect(on('sagemaker-notebook-direct-internet')).toEqual(['constructor.Notebook@16']);
    expect(on('sagemaker-endpoint-multi-instance')).toEqual(['constructor.Config@23']);
    expect(on('sagemaker-endpoint-data-capture-sampling')).toEqual(['constructor.Config@29']);
    for (const rule of ['sagemaker-model-network-isolation', 'sagemaker-endpoint-kms', 's3-bucket-versioning', 's3-bucket-kms']) expect(on(rule), rule).toEqual([]);
    expect(r.findings.filter((f) => f.rule.startsWith('tags-'))).toEqual([]);
    // Its L2 bucket is read too: the file is reviewed in full.
    expect(r.stats.notReviewed).toEqual([]);
    // Without the override the bucket's missing encryption is found.
    expect(reviewed(STACK.replace("    bucket.addPropertyOverride('BucketEncryption.ServerSideEncryptionConfiguration', []);\n", '')).findings.filter((f) => f.address === 'constructor.Data').map((f) => f.rule)).toContain('s3-bucket-kms');
  });

  it('leave unknown a parameter, a let, a property changed later and props passed in', () => {
    const text = `import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
export function build(stack: any, key: string, props: sagemaker.CfnEndpointConfigProps) {
  let count = 1;
  const config = new sagemaker.CfnEndpointConfig(stack, 'Config', { kmsKeyId: key, productionVariants: [{ variantName: 'v', initialInstanceCount: count, instanceType: 'ml.m5.large', modelName: 'm' }] });
  config.dataCaptureConfig = { enableCapture: true, destinationS3Uri: 's3://b/c' };
  const other = new sagemaker.CfnEndpointConfig(stack, 'Other', props);
}
`;
    const doc = read(text);
    const config = props(doc, 'build.Config');
    expect(get(config, 'KmsKeyId')).toMatchObject({ type: 'symbolic' });
    expect(get((get(config, 'ProductionVariants') as { items: Node[] }).items[0], 'InitialInstanceCount')).toMatchObject({ type: 'symbolic' });
    expect(get(config, 'DataCaptureConfig')).toMatchObject({ type: 'symbolic' });
    expect(doc.targets.find((t) => t.address === 'build.Other')?.node).toMatchObject({ entries: [{ key: 'Properties', value: { type: 'symbolic' } }] });
    const rules = reviewed(text).findings.map((f) => f.rule);
    for (const rule of ['sagemaker-endpoint-kms', 'sagemaker-endpoint-multi-instance', 'sagemaker-endpoint-data-capture']) expect(rules).not.toContain(rule);
  });

  it('are recognised however the module is imported, v1 included', () => {
    for (const [imports, call] of [
      ["import { CfnModel } from 'aws-cdk-lib/aws-sagemaker';", 'CfnModel'],
      ["import * as cdk from 'aws-cdk-lib';", 'cdk.aws_sagemaker.CfnModel'],
      ["import * as sm from '@aws-cdk/aws-sagemaker';", 'sm.CfnModel'],
      ["import { aws_sagemaker } from 'aws-cdk-lib';", 'aws_sagemaker.CfnModel'],
    ]) {
      const doc = read(`${imports}\nexport function f(stack: any) {\n  new ${call}(stack, 'M', { executionRoleArn: 'r', enableNetworkIsolation: true });\n}\n`);
      expect(doc.targets.map((t) => [t.type, t.address]), imports).toEqual([['AWS::SageMaker::Model', 'f.M']]);
    }
  });

  it('take suppressions from // comments only, never from strings; a syntax error is a parse error; a file of unread L2 only is not reviewed', () => {
    const suppressed = STACK.replace("      directInternetAccess: 'Enabled',", "      // ml-lens:ignore sagemaker-notebook-direct-internet a lab notebook with no data\n      directInternetAccess: 'Enabled',");
    expect(reviewed(suppressed).findings.find((f) => f.rule === 'sagemaker-notebook-direct-internet')?.status).toBe('suppressed');
    expect(commentsOf('typescript', "const a = '// ml-lens:ignore x'; // real\n/* block\n two */\n").map((c) => [c.line, c.text])).toEqual([
      [1, ' real'],
      [2, ' block'],
      [3, ' two '],
    ]);
    expect(classify('lib/stack.ts', "import * as cdk from 'aws-cdk-lib';\nconst x = (;\n")).toMatchObject({ type: 'error', error: { kind: 'cdk-typescript', line: 2 } });
    const l2 = "import * as sns from 'aws-cdk-lib/aws-sns';\nexport function f(stack: any) {\n  new sns.Topic(stack, 'Data');\n}\n";
    expect(reviewed(l2, 'lib/data.ts').stats.notReviewed).toEqual([
      { path: 'lib/data.ts', reason: 'uses AWS CDK constructs this reviewer does not read yet (L2; `cdk synth` and a review of cdk.out reads what they make): sns.Topic' },
    ]);
    // An L2 construct it reads (cdk/l2.ts) is reviewed.
    expect(reviewed(l2.replace("sns from 'aws-cdk-lib/aws-sns'", "s3 from 'aws-cdk-lib/aws-s3'").replace('sns.Topic', 's3.Bucket'), 'lib/data.ts').stats.notReviewed).toEqual([]);
    expect(classify('bin/app.ts', "import * as cdk from 'aws-cdk-lib';\nconst app = new cdk.App();\n")).toMatchObject({ type: 'none' });
    expect(classify('lib/types.d.ts', "import * as sm from 'aws-cdk-lib/aws-sagemaker';\n")).toMatchObject({ type: 'none' });
  });
});

describe('what TypeScript does to a construct or its props after building them', () => {
  const kms = (text: string) => reviewed(text).findings.filter((f) => f.rule === 'sagemaker-endpoint-kms').map((f) => f.address);
  const head = "import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';\n";
  const variants = "productionVariants: [{ variantName: 'v', modelName: 'm', initialInstanceCount: 2, instanceType: 'ml.m5.large' }]";

  it('follows this.fields across methods and names the props object is changed through', () => {
    const text = `${head}export class S {
  config: any;
  constructor(scope: any, key: string) {
    this.config = new sagemaker.CfnEndpointConfig(this, 'C', { ${variants} });
  }
  encrypt(key: string) {
    this.config.kmsKeyId = key;
  }
}
export function build(stack: any, key: string) {
  const props: any = { ${variants} };
  props.kmsKeyId = key;
  new sagemaker.CfnEndpointConfig(stack, 'D', props);
  const { kmsKeyId } = { kmsKeyId: key };
  new sagemaker.CfnEndpointConfig(stack, 'E', { kmsKeyId, ${variants} });
  const c = new sagemaker.CfnEndpointConfig(stack, 'F', { ${variants} });
  Object.assign(c, { kmsKeyId: key });
  const g = new sagemaker.CfnEndpointConfig(stack, 'G', { ${variants} });
}
`;
    expect(kms(text)).toEqual(['build.G']);
  });
});
