import { describe, expect, it } from 'vitest';
import type { Node } from '../../src/model.js';
import { quoteBarePlaceholders, sagemakerPipeline } from '../../src/formats/sagemaker-pipeline.js';
import { dig, entry, get, items, value } from '../../src/formats/tree.js';
import { asDocument, asError, asSymbol, fixture, lineOf, neverThrows, targetRows } from './_pipeline-helpers.js';

const JSON_DEF = fixture('sm-pipeline-definition.json');
const TEMPLATE = fixture('sm-pipeline-definition.json.tpl');

const parseDefinition = () => asDocument(sagemakerPipeline.parse('pipelines/churn/pipeline-definition.json', JSON_DEF));
const parseTemplate = () => asDocument(sagemakerPipeline.parse('modules/pipeline/pipeline-definition.json.tpl', TEMPLATE));
/** Span of a step map: from its `{` (the line above `"Name"`) to its `}`. */
const stepStart = (text: string, name: string) => lineOf(text, `"Name": "${name}"`) - 1;
const step = (doc: ReturnType<typeof parseDefinition>, name: string): Node => doc.targets.find((t) => t.address === name)!.node;

describe('sagemaker-pipeline detect', () => {
  it('accepts .json and .json.tpl files with a Steps list', () => {
    expect(sagemakerPipeline.detect('pipeline-definition.json', JSON_DEF)).toBe(true);
    expect(sagemakerPipeline.detect('modules/x/pipeline-definition.json.tpl', TEMPLATE)).toBe(true);
  });

  it('needs both the path and the content signature', () => {
    expect(sagemakerPipeline.detect('pipeline.yaml', JSON_DEF)).toBe(false);
    expect(sagemakerPipeline.detect('pipeline.tpl', JSON_DEF)).toBe(false);
    expect(sagemakerPipeline.detect('package.json', '{"name": "x", "version": "1.0.0"}')).toBe(false);
    // An escaped definition string inside a CloudFormation template is not a definition file.
    expect(sagemakerPipeline.detect('t.json', '{"Body": "{\\"Steps\\": [{\\"Type\\": 1}]}"}')).toBe(false);
  });
});

describe('sagemaker-pipeline definitions', () => {
  it('targets every step, nested Condition branches included, addressed by Name', () => {
    const doc = parseDefinition();
    expect(doc.kind).toBe('sagemaker-pipeline');
    expect(targetRows(doc)).toEqual([
      ['Processing', 'Preprocess', stepStart(JSON_DEF, 'Preprocess'), stepStart(JSON_DEF, 'Train') - 1],
      ['Training', 'Train', stepStart(JSON_DEF, 'Train'), stepStart(JSON_DEF, 'Evaluate') - 1],
      ['Processing', 'Evaluate', stepStart(JSON_DEF, 'Evaluate'), stepStart(JSON_DEF, 'AucGate') - 1],
      ['Condition', 'AucGate', stepStart(JSON_DEF, 'AucGate'), JSON_DEF.trimEnd().split('\n').length - 2],
      ['RegisterModel', 'Register', stepStart(JSON_DEF, 'Register'), stepStart(JSON_DEF, 'SecondGate') - 1],
      ['Condition', 'SecondGate', stepStart(JSON_DEF, 'SecondGate'), lineOf(JSON_DEF, '"ElseSteps": []') + 2],
      ['Model', 'CreateModel', lineOf(JSON_DEF, '"Name": "CreateModel"'), lineOf(JSON_DEF, '"Name": "CreateModel"')],
      ['Fail', 'BelowThreshold', lineOf(JSON_DEF, '"Name": "BelowThreshold"'), lineOf(JSON_DEF, '"Name": "BelowThreshold"')],
    ]);
    expect(doc.targets.map((t) => t.name)).toEqual(doc.targets.map((t) => t.address));
  });

  it('records parameters and which Condition each nested step sits under', () => {
    expect(parseDefinition().meta).toEqual({
      parameters: ['ProcessingInstanceType', 'ModelApprovalStatus', 'MinAuc'],
      nested: { Register: 'AucGate', SecondGate: 'AucGate', CreateModel: 'SecondGate', BelowThreshold: 'AucGate' },
    });
  });

  it('turns Get, Std:Join and Std:JsonGet into symbols with Parameters.X / Steps.Name / Execution.X refs', () => {
    const doc = parseDefinition();
    expect(asSymbol(dig(doc.root, 'PipelineExperimentConfig', 'ExperimentName'))).toMatchObject({
      expr: '{"Get":"Execution.PipelineName"}',
      refs: ['Execution.PipelineName'],
      startLine: lineOf(JSON_DEF, '"ExperimentName"'),
    });
    const preprocess = step(doc, 'Preprocess');
    expect(asSymbol(dig(preprocess, 'Arguments', 'ProcessingResources', 'ClusterConfig', 'InstanceType')).refs).toEqual(['Parameters.ProcessingInstanceType']);

    const train = get(step(doc, 'Train'), 'Arguments');
    const channel = items(get(train, 'InputDataConfig'))[0];
    expect(asSymbol(dig(channel, 'DataSource', 'S3DataSource', 'S3Uri')).refs).toEqual(['Steps.Preprocess']);
    const join = asSymbol(dig(train, 'OutputDataConfig', 'S3OutputPath'));
    expect(join.refs).toEqual(['Execution.PipelineExecutionId']);
    expect(join.expr).toMatch(/^\{"Std:Join":/);
    expect(items(get(join.inner, 'Values')).map((n) => n.type)).toEqual(['scalar', 'symbolic', 'scalar']);

    const condition = items(dig(step(doc, 'AucGate'), 'Arguments', 'Conditions'))[0];
    const left = asSymbol(get(condition, 'LeftValue'));
    expect(left).toMatchObject({ refs: ['Steps.Evaluate'], startLine: lineOf(JSON_DEF, '"LeftValue"'), endLine: lineOf(JSON_DEF, '"RightValue"') - 1 });
    expect(asSymbol(get(condition, 'RightValue')).refs).toEqual(['Parameters.MinAuc']);

    const register = get(step(doc, 'Register'), 'Arguments');
    expect(asSymbol(get(register, 'ModelApprovalStatus')).refs).toEqual(['Parameters.ModelApprovalStatus']);
    const container = items(dig(register, 'InferenceSpecification', 'Containers'))[0];
    expect(asSymbol(get(container, 'ModelDataUrl')).refs).toEqual(['Steps.Train']);
    expect(value(get(register, 'ModelPackageGroupName'))).toBe('churn');
  });

  it('positions map keys', () => {
    const doc = parseDefinition();
    expect(entry(doc.root, 'Steps')?.keyLine).toBe(lineOf(JSON_DEF, '"Steps"'));
    expect(entry(get(step(doc, 'Train'), 'Arguments'), 'StoppingCondition')?.keyLine).toBe(lineOf(JSON_DEF, '"StoppingCondition"'));
    expect(entry(step(doc, 'Evaluate'), 'PropertyFiles')?.keyLine).toBe(lineOf(JSON_DEF, '"PropertyFiles"'));
  });

  it('leaves ${...} in a plain .json definition as text', () => {
    const text = '{"Steps": [{"Name": "A", "Type": "Processing", "Arguments": {"ImageUri": "${image}"}}]}';
    const doc = asDocument(sagemakerPipeline.parse('p.json', text));
    expect(dig(doc.targets[0]!.node, 'Arguments', 'ImageUri')).toMatchObject({ type: 'scalar', value: '${image}' });
  });
});

describe('sagemaker-pipeline Terraform templates (.json.tpl)', () => {
  it('parses bare placeholders and keeps every line where it was', () => {
    const doc = parseTemplate();
    expect(doc.lines).toBe(TEMPLATE.trimEnd().split('\n').length);
    expect(targetRows(doc)).toEqual([
      ['Processing', 'Train', stepStart(TEMPLATE, 'Train'), stepStart(TEMPLATE, '${evaluation_step_name}') - 1],
      ['Processing', '${evaluation_step_name}', stepStart(TEMPLATE, '${evaluation_step_name}'), lineOf(TEMPLATE, '"AppSpecification": {"ImageUri": "${evaluation_image_uri}"}') + 2],
    ]);
    const args = get(doc.targets[0]!.node, 'Arguments');
    expect(entry(args, 'ProcessingOutputConfig')?.keyLine).toBe(lineOf(TEMPLATE, '"ProcessingOutputConfig"'));
  });

  it('makes placeholders symbolic, quoted or bare, with the names they read', () => {
    const doc = parseTemplate();
    const args = get(doc.targets[0]!.node, 'Arguments');
    expect(asSymbol(get(args, 'ProcessingJobName'))).toMatchObject({ expr: '${pipeline_name}-train', refs: ['pipeline_name'] });
    const cluster = dig(args, 'ProcessingResources', 'ClusterConfig');
    expect(asSymbol(get(cluster, 'InstanceCount'))).toMatchObject({ expr: '${instance_count}', refs: ['instance_count'], startLine: lineOf(TEMPLATE, '"InstanceCount"') });
    expect(asSymbol(get(cluster, 'InstanceType')).refs).toEqual(['instance_type']);
    // Function names and string literals are not refs.
    expect(asSymbol(get(cluster, 'VolumeSizeInGB')).refs).toEqual(['volume_sizes']);
    // A bare placeholder over three lines: one symbol, object keys of the HCL literal are not refs.
    expect(asSymbol(get(args, 'Environment'))).toMatchObject({ refs: ['stage'], startLine: lineOf(TEMPLATE, '"Environment"') });
    const output = items(dig(args, 'ProcessingOutputConfig', 'Outputs'))[0];
    expect(asSymbol(dig(output, 'S3Output', 'S3Uri')).refs).toEqual(['var.bucket']);
    // `$${...}` is Terraform's escape for a literal `${`: not a placeholder.
    expect(dig(doc.targets[1]!.node, 'Arguments', 'DocumentedLiteral')).toMatchObject({ type: 'scalar', value: '$${not_a_placeholder}' });
    expect(asSymbol(get(doc.targets[1]!.node, 'Name')).refs).toEqual(['evaluation_step_name']);
  });

  it('quotes bare placeholders only', () => {
    expect(quoteBarePlaceholders('{"a": ${x}, "b": "${y}"}')).toBe('{"a": "${x}", "b": "${y}"}');
    expect(quoteBarePlaceholders('{"a": "say \\"${x}\\"", "b": ${f("}")}}')).toBe('{"a": "say \\"${x}\\"", "b": "${f(\\"}\\")}"}');
    expect(quoteBarePlaceholders('{"a": ${f({\n k = v\n})}, "b": 1}')).toBe('{"a": "${f({\\n k = v\\n})}"\n\n, "b": 1}');
    expect(quoteBarePlaceholders('{"plain": 1}')).toBe('{"plain": 1}');
  });
});

describe('sagemaker-pipeline structure and malformed input', () => {
  it('is not an artifact without a Steps list of named, typed steps', () => {
    const reason = { notArtifact: 'no `Steps` list whose items have `Name` and `Type`' };
    expect(sagemakerPipeline.parse('p.json', '{"Steps": [{"Name": "A"}], "Type": "x"}')).toEqual(reason);
    expect(sagemakerPipeline.parse('p.json', '{"Steps": [], "Type": "x"}')).toEqual(reason);
    expect(sagemakerPipeline.parse('p.json', '{"Stage": {"Steps": [{"Name": "A", "Type": "Training"}]}}')).toEqual(reason);
    expect(sagemakerPipeline.parse('p.json', '[{"Steps": [{"Name": "A", "Type": "Training"}]}]')).toEqual(reason);
  });

  it('reports bad JSON and duplicate keys at their lines', () => {
    const trailing = '{\n  "Steps": [\n    {"Name": "A", "Type": "Training"},\n  ]\n}\n';
    expect(asError(sagemakerPipeline.parse('p.json', trailing))).toMatchObject({ kind: 'sagemaker-pipeline', path: 'p.json', line: 4 });
    const dup = '{\n  "Steps": [\n    {"Name": "A",\n     "Type": "Training",\n     "Name": "B"}\n  ]\n}\n';
    expect(asError(sagemakerPipeline.parse('p.json', dup))).toMatchObject({ line: 5, message: 'JSON: duplicate key "Name"' });
  });

  it('reports an unterminated template placeholder as a ParseError', () => {
    const text = '{\n  "Steps": [\n    {"Name": "A", "Type": "Training",\n     "Arguments": {"InstanceCount": ${count}\n';
    expect(asError(sagemakerPipeline.parse('p.json.tpl', text)).line).toBe(5);
    const open = '{\n  "Steps": [\n    {"Name": "A", "Type": "Training",\n     "Arguments": {"InstanceCount": ${count\n  ]]\n';
    expect(asError(sagemakerPipeline.parse('p.json.tpl', open)).line).toBe(4);
  });

  it('never throws, whatever the text', () => {
    const signature = ['"Steps": [', '{"Name": "A", "Type": "Condition", "Arguments": {"IfSteps": [', '{"Get": ', '{"Std:Join": ', '"Type"', '${', '}'];
    neverThrows(sagemakerPipeline, 'p.json', signature);
    neverThrows(sagemakerPipeline, 'p.json.tpl', signature);
  });
});
