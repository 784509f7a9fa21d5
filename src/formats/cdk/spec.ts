/**
 * The CloudFormation side of AWS CDK L1 constructs (`CfnEndpointConfig`, `CfnBucket`...), from
 * rules/mappings/cdk-cloudformation.json (generated from the CDK's own specification by
 * scripts/gen-cdk-spec.js): which resource type a class of a service module makes, the shape of
 * each property, and the CloudFormation name of a property as TypeScript or Python writes it. The
 * CDK does not name properties by capitalising them back (`volume_size_in_gb` is `VolumeSizeInGB`),
 * so names are looked up in the specification, never guessed for a property it knows.
 */
import { readFileSync } from 'node:fs';

/**
 * A property's shape: `s` a scalar, `j` JSON and `m` a map (their keys are written verbatim, not
 * converted), `t` a tag, a one-item array a list of that shape, any other string a nested type of
 * the same resource (`ProductionVariant`).
 */
export type Shape = string | [Shape];

interface SpecFile {
  services: Record<string, string>;
  names: Record<string, [string, string]>;
  resources: Record<string, Record<string, Shape>>;
  types: Record<string, Record<string, Shape>>;
}

const SPEC_FILE = new URL('../../../rules/mappings/cdk-cloudformation.json', import.meta.url);
let spec: SpecFile | undefined;

function loaded(): SpecFile {
  spec ??= JSON.parse(readFileSync(SPEC_FILE, 'utf8')) as SpecFile;
  return spec;
}

/** The CloudFormation namespace of a CDK service module (`aws_sagemaker`, `aws-sagemaker`): `AWS::SageMaker`. */
export function namespaceOf(module: string): string | undefined {
  const short = /^aws[_-](.+)$/.exec(module)?.[1];
  if (!short) return undefined;
  return loaded().services[short.replace(/[_-]/g, '')] ?? loaded().services[short];
}

/** The properties of a resource type, or of one of its nested types (`AWS::SageMaker::EndpointConfig.ProductionVariant`). */
export function propertiesOf(owner: string): Readonly<Record<string, Shape>> | undefined {
  const s = loaded();
  return s.resources[owner] ?? s.types[owner];
}

/** The resource a nested type belongs to: `AWS::SageMaker::EndpointConfig.ProductionVariant` -> `AWS::SageMaker::EndpointConfig`. */
export function resourceOf(owner: string): string {
  const dot = owner.indexOf('.');
  return dot === -1 ? owner : owner.slice(0, dot);
}

export type Language = 'python' | 'typescript';

/** The plain conversions; the specification lists the names that are not. */
const plainTs = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);
const plainPy = (name: string) => plainTs(name).replace(/([A-Z])/g, '_$1').toLowerCase();

const inverses = new Map<string, Map<string, string>>();

/** The CloudFormation name of a property written `written` in `language`, for an owner the spec knows. */
export function cloudFormationName(owner: string, written: string, language: Language): string | undefined {
  const key = `${language}:${owner}`;
  let inverse = inverses.get(key);
  if (!inverse) {
    inverse = new Map();
    const names = loaded().names;
    for (const name of Object.keys(propertiesOf(owner) ?? {})) {
      const irregular = Object.hasOwn(names, name) ? names[name] : undefined;
      const as = language === 'python' ? (irregular?.[1] ?? plainPy(name)) : (irregular?.[0] ?? plainTs(name));
      inverse.set(as, name);
    }
    inverses.set(key, inverse);
  }
  // jsii writes a Python keyword with a trailing underscore (`lambda_`, `from_`).
  return inverse.get(written) ?? (language === 'python' && written.endsWith('_') ? inverse.get(written.slice(0, -1)) : undefined);
}

/**
 * The name of a property the spec does not know (a newer property, or a type outside the spec's
 * services): capitalised back, which is right except for names with acronyms. Rules read the
 * properties the spec knows.
 */
export function guessedName(written: string, language: Language): string {
  const camel = language === 'python' ? written.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) : written;
  return camel.charAt(0).toUpperCase() + camel.slice(1);
}
