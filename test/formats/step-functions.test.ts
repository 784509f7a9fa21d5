import { describe, expect, it } from 'vitest';
import { stepFunctions } from '../../src/formats/step-functions.js';
import { dig, entry, get, value } from '../../src/formats/tree.js';
import { aliasBomb, asDocument, asError, asSymbol, fixture, lineOf, neverThrows, targetRows } from './_pipeline-helpers.js';

const ASL = fixture('train-model.asl.json');
const YAML = fixture('score.asl.yaml');

const parseAsl = () => asDocument(stepFunctions.parse('statemachine/train-model.asl.json', ASL));
const state = (name: string) => lineOf(ASL, `"${name}": {`);

describe('step-functions detect', () => {
  it('accepts ASL paths and any JSON/YAML with StartAt + States', () => {
    expect(stepFunctions.detect('statemachine/train-model.asl.json', ASL)).toBe(true);
    expect(stepFunctions.detect('statemachines/train.json', ASL)).toBe(true);
    expect(stepFunctions.detect('workflows/train.asl', ASL)).toBe(true);
    expect(stepFunctions.detect('sfn/score.asl.yaml', YAML)).toBe(true);
    expect(stepFunctions.detect('sfn/score.yml', YAML)).toBe(true);
  });

  it('needs the path and the signature', () => {
    expect(stepFunctions.detect('train-model.txt', ASL)).toBe(false);
    expect(stepFunctions.detect('package.json', '{"name": "x", "scripts": {"StartAt": "no States here"}}')).toBe(false);
    // A CloudFormation template holding a definition: its StartAt is not at the top level.
    const cfn = 'Resources:\n  Machine:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      Definition:\n        StartAt: A\n        States:\n          A: {Type: Succeed}\n';
    expect(stepFunctions.detect('template.yaml', cfn)).toBe(false);
  });

  it('leaves a JSON template with an inline definition to CloudFormation', () => {
    const cfn = '{"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"Definition": {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}}}}}';
    expect(stepFunctions.detect('template.json', cfn)).toBe(true);
    expect(stepFunctions.parse('template.json', cfn)).toEqual({ notArtifact: 'no top-level `StartAt` and `States`' });
  });
});

describe('step-functions state machines', () => {
  it('targets every state, Parallel branches and Map processors included, addressed States.<name>', () => {
    const doc = parseAsl();
    expect(doc.kind).toBe('step-functions');
    expect(targetRows(doc)).toEqual([
      ['Parallel', 'States.Prepare', state('Prepare'), state('TrainModel') - 1],
      ['Task', 'States.ProcessFeatures', state('ProcessFeatures'), lineOf(ASL, '"End": true') + 1],
      ['Pass', 'States.Validate', lineOf(ASL, '"Validate": {'), lineOf(ASL, '"Validate": {')],
      ['Task', 'States.TrainModel', state('TrainModel'), state('ScoreBatches') - 1],
      ['Map', 'States.ScoreBatches', state('ScoreBatches'), state('LegacyFanOut') - 1],
      ['Task', 'States.Score', lineOf(ASL, '"Score": {'), lineOf(ASL, '"Score": {')],
      ['Map', 'States.LegacyFanOut', state('LegacyFanOut'), state('Deploy?') - 1],
      ['Succeed', 'States.Report', lineOf(ASL, '"Report": {'), lineOf(ASL, '"Report": {')],
      ['Choice', 'States.Deploy?', state('Deploy?'), state('CreateEndpoint') - 1],
      ['Task', 'States.CreateEndpoint', state('CreateEndpoint'), lineOf(ASL, '"Rejected": {') - 1],
      ['Fail', 'States.Rejected', lineOf(ASL, '"Rejected": {'), lineOf(ASL, '"Rejected": {')],
    ]);
    expect(doc.targets[3]!.name).toBe('TrainModel');
  });

  it('records the start state and the state each nested state runs inside', () => {
    expect(parseAsl().meta).toEqual({
      startAt: 'Prepare',
      nested: { ProcessFeatures: 'Prepare', Validate: 'Prepare', Score: 'ScoreBatches', Report: 'LegacyFanOut' },
    });
  });

  it('makes SAM definition substitutions symbolic and keeps JSONPath strings', () => {
    const doc = parseAsl();
    const process = doc.targets.find((t) => t.name === 'ProcessFeatures')!.node;
    expect(asSymbol(dig(process, 'Parameters', 'RoleArn'))).toMatchObject({ expr: '${ProcessingRoleArn}', refs: ['ProcessingRoleArn'], startLine: lineOf(ASL, '"RoleArn": "${ProcessingRoleArn}"') });
    expect(value(dig(process, 'Parameters', 'ProcessingJobName.$'))).toBe("States.Format('features-{}', $$.Execution.Name)");
    const train = doc.targets.find((t) => t.name === 'TrainModel')!.node;
    expect(asSymbol(dig(train, 'Parameters', 'RoleArn')).refs).toEqual(['AccountId']);
    expect(value(get(train, 'Resource'))).toBe('arn:aws:states:::sagemaker:createTrainingJob.sync');
    expect(entry(train, 'Retry')?.keyLine).toBe(lineOf(ASL, '"Retry"'));
    expect(entry(doc.root, 'TimeoutSeconds')?.keyLine).toBe(4);
  });

  it('reads ASL in YAML', () => {
    const doc = asDocument(stepFunctions.parse('sfn/score.asl.yaml', YAML));
    expect(targetRows(doc)).toEqual([
      ['Task', 'States.Transform', lineOf(YAML, '  Transform:'), lineOf(YAML, 'Next: Done')],
      ['Succeed', 'States.Done', lineOf(YAML, '  Done:'), lineOf(YAML, 'Type: Succeed')],
      ['Fail', 'States.Failed', lineOf(YAML, '  Failed:'), lineOf(YAML, 'Type: Fail')],
    ]);
    expect(asSymbol(dig(doc.targets[0]!.node, 'Parameters', 'ModelName')).refs).toEqual(['ModelName']);
    expect(entry(doc.targets[0]!.node, 'Catch')?.keyLine).toBe(lineOf(YAML, 'Catch:'));
  });

  it('is not an artifact without top-level StartAt and States', () => {
    const reason = { notArtifact: 'no top-level `StartAt` and `States`' };
    expect(stepFunctions.parse('m.yaml', 'StartAt: A\nStates: [A]\n')).toEqual(reason);
    expect(stepFunctions.parse('m.yaml', 'States:\n  A: {Type: Succeed}\n')).toEqual(reason);
    expect(stepFunctions.parse('m.yaml', 'StartAt: A\nStates: {A: {Type: Succeed}}\n---\nStartAt: B\nStates: {}\n')).toEqual(reason);
  });
});

describe('step-functions malformed input', () => {
  it('reports bad JSON and a duplicate state name at their lines', () => {
    const bad = '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass" "End": true}\n  }\n}\n';
    expect(asError(stepFunctions.parse('m.asl.json', bad))).toMatchObject({ kind: 'step-functions', line: 4, message: 'JSON: expected "," or "}", found "\\""' });
    const dup = '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass", "End": true},\n    "A": {"Type": "Succeed"}\n  }\n}\n';
    expect(asError(stepFunctions.parse('m.asl.json', dup))).toMatchObject({ line: 5, message: 'JSON: duplicate key "A"' });
  });

  it('reports bad YAML indentation and duplicate keys at their lines', () => {
    const indent = 'StartAt: A\nStates:\n  A:\n    Type: Pass\n   End: true\n';
    expect(asError(stepFunctions.parse('m.asl.yaml', indent)).line).toBe(5);
    const dup = 'StartAt: A\nStates:\n  A:\n    Type: Pass\n    End: true\n    Type: Succeed\n';
    expect(asDocument(stepFunctions.parse('m.asl.yaml', dup)).meta?.['parseNotes']).toMatchObject([{ note: 'duplicate-key', line: 6 }]); // the last value wins, said as a finding
  });

  it('refuses a YAML alias bomb with a ParseError', () => {
    const text = aliasBomb('StartAt: A\nStates: {A: {Type: Succeed}}\n');
    expect(stepFunctions.detect('m.asl.yaml', text)).toBe(true);
    expect(asError(stepFunctions.parse('m.asl.yaml', text))).toMatchObject({ line: 8, message: expect.stringMatching(/aliases/) });
  });

  it('never throws, whatever the text', () => {
    const signature = ['StartAt: A\n', 'States:\n', '"StartAt": "A"', '"States": {', '"Type": "Parallel"', '"Branches": [', 'Iterator:', 'Type: Map\n'];
    neverThrows(stepFunctions, 'm.asl.json', signature);
    neverThrows(stepFunctions, 'm.asl.yaml', signature);
  });
});

describe('integrations however they are written', () => {
  it('reads a partition placeholder in a task Resource as the aws partition, and aws-sdk SageMaker calls as SageMaker', async () => {
    const { changeSetOf, reviewer } = await import('../helpers/engine.js');
    const review = await reviewer();
    const text = JSON.stringify(
      {
        StartAt: 'Train',
        States: {
          Train: { Type: 'Task', Resource: 'arn:${AWS::Partition}:states:::sagemaker:createTrainingJob.sync', Parameters: { TrainingJobName: 't', RoleArn: '${TrainRoleArn}', ResourceConfig: { InstanceCount: 1, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 30 }, StoppingCondition: { MaxRuntimeInSeconds: 3600 } }, Next: 'Register' },
          Register: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:sagemaker:createTrainingJob', Parameters: { TrainingJobName: 't2' }, End: true },
        },
      },
      null,
      2,
    );
    const doc = asDocument(stepFunctions.parse('statemachine/train.asl.json', text));
    expect(value(dig(doc.root, 'States', 'Train', 'Resource'))).toBe('arn:aws:states:::sagemaker:createTrainingJob.sync');
    // Any other placeholder stays unknown.
    expect(asSymbol(dig(doc.root, 'States', 'Train', 'Parameters', 'RoleArn'))).toBeTruthy();
    const r = review(changeSetOf([{ path: 'statemachine/train.asl.json', status: 'added', base: null, head: text }], { tree: [], contextComplete: false }));
    const on = (rule: string) => r.findings.filter((f) => f.rule === rule).map((f) => f.address).sort();
    expect(on('sfn-sagemaker-task-retry')).toEqual(['States.Register', 'States.Train']);
    expect(on('sfn-sagemaker-job-kms')).toEqual(['States.Register', 'States.Train']);
    expect(on('sfn-state-machine-timeout')).toEqual(['state-machine']);
  });
});
