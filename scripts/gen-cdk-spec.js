#!/usr/bin/env node
/**
 * Writes rules/mappings/cdk-cloudformation.json: the CloudFormation property names and shapes of
 * the resource types the CDK readers map L1 constructs onto (src/formats/cdk/), and the names the
 * CDK gives them in TypeScript and Python where they are not the plain conversion. Generated from
 * the AWS CDK's own specification database, the one its L1 classes are generated from:
 *
 *   npm pack @aws-cdk/aws-service-spec && tar xzf aws-cdk-aws-service-spec-*.tgz
 *   npm i --no-save camelcase@6
 *   node scripts/gen-cdk-spec.js package/db.json.gz [package/package.json]
 *
 * The naming follows spec2cdk (`propertyNameFromCloudFormation`): TypeScript = camelcase(name)
 * with its exceptions, Python = the jsii snake_case of that. Property types are kept only as
 * much as a reader needs: a scalar, JSON or a map (keys passed verbatim), a tag, a list, or a
 * nested type of the same resource.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const camelcase = require('camelcase');

const [dbPath, pkgPath] = process.argv.slice(2);
if (!dbPath) {
  console.error('usage: node scripts/gen-cdk-spec.js <db.json.gz> [package.json]');
  process.exit(2);
}
const version = pkgPath ? JSON.parse(readFileSync(pkgPath, 'utf8')).version : 'unknown';
const db = JSON.parse(gunzipSync(readFileSync(dbPath)).toString('utf8'));

/** The namespaces ML stacks use and the catalogue reads; EC2 only for its network resources. */
const NAMESPACES = [
  'AWS::SageMaker', 'AWS::S3', 'AWS::KMS', 'AWS::IAM', 'AWS::ECR', 'AWS::CodeBuild', 'AWS::CodePipeline', 'AWS::Logs',
  'AWS::Events', 'AWS::Scheduler', 'AWS::ApplicationAutoScaling', 'AWS::CloudWatch', 'AWS::Budgets', 'AWS::Bedrock',
  'AWS::Comprehend', 'AWS::Kendra', 'AWS::Lambda', 'AWS::SNS', 'AWS::SQS', 'AWS::StepFunctions', 'AWS::SecretsManager',
  'AWS::SSM', 'AWS::Glue', 'AWS::EFS',
];
const EC2 = new Set(['AWS::EC2::SecurityGroup', 'AWS::EC2::SecurityGroupIngress', 'AWS::EC2::SecurityGroupEgress', 'AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::EC2::VPCEndpoint']);

const byId = new Map(db.schema.typeDefinition.entities.map((t) => [t.$id, t]));
const wanted = (type) => EC2.has(type) || NAMESPACES.some((ns) => type.startsWith(`${ns}::`));

/** spec2cdk's property names: camelcase with its exceptions. */
function typescriptName(name) {
  if (name === 'VPCs') return 'vpcs';
  if (name === 'GetObject') return 'objectAccess';
  if (name === 'Equals') return 'equalTo';
  for (const suffix of ['ARNs', 'MBs', 'AZs']) {
    if (name.endsWith(suffix) && name.length > suffix.length) {
      const kept = suffix === 'ARNs' ? 'Arns' : suffix;
      return camelcase(name.slice(0, -suffix.length)) + kept;
    }
  }
  return camelcase(name);
}
/** jsii's Python name of a TypeScript property. */
const pythonName = (ts) => ts.replace(/([A-Z])/g, '_$1').toLowerCase();
/** The plain conversions the readers try first; only names that differ are written out. */
const plainTs = (name) => name.charAt(0).toLowerCase() + name.slice(1);
const plainPy = (name) => plainTs(name).replace(/([A-Z])/g, '_$1').toLowerCase();

const names = {};
function noteName(name) {
  const ts = typescriptName(name);
  const py = pythonName(ts);
  if (ts !== plainTs(name) || py !== plainPy(name)) names[name] = [ts, py];
}

/** A property type as the readers need it. */
function shape(type, resource, types) {
  switch (type.type) {
    case 'array':
      return [shape(type.element, resource, types)];
    case 'map':
      return 'm';
    case 'json':
      return 'j';
    case 'tag':
      return 't';
    case 'ref': {
      const def = byId.get(type.reference.$ref);
      if (!def) return 's';
      addType(def, resource, types);
      return def.name;
    }
    case 'union':
      // A value of several possible shapes: the readers keep it as written.
      return 'j';
    default:
      return 's';
  }
}

function addType(def, resource, types) {
  const key = `${resource}.${def.name}`;
  if (types[key]) return;
  const props = {};
  types[key] = props;
  for (const [name, p] of Object.entries(def.properties ?? {})) {
    noteName(name);
    props[name] = shape(p.type, resource, types);
  }
}

const resources = {};
const types = {};
const services = {};
for (const s of db.schema.service.entities) {
  if (NAMESPACES.includes(s.cloudFormationNamespace) || s.cloudFormationNamespace === 'AWS::EC2') services[s.shortName] = s.cloudFormationNamespace;
}
for (const r of db.schema.resource.entities) {
  if (!wanted(r.cloudFormationType)) continue;
  const props = {};
  for (const [name, p] of Object.entries(r.properties ?? {})) {
    noteName(name);
    props[name] = shape(p.type, r.cloudFormationType, types);
  }
  resources[r.cloudFormationType] = props;
}

const sorted = (o) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
const out = {
  source: `@aws-cdk/aws-service-spec ${version} (generated by scripts/gen-cdk-spec.js; do not edit)`,
  services: sorted(services),
  names: sorted(names),
  resources: sorted(resources),
  types: sorted(types),
};
writeFileSync(new URL('../rules/mappings/cdk-cloudformation.json', import.meta.url), `${JSON.stringify(out)}\n`);
console.log(`${Object.keys(resources).length} resources, ${Object.keys(types).length} types, ${Object.keys(names).length} irregular names`);
