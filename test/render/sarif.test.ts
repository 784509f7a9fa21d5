/**
 * The essential points of the SARIF 2.1.0 schema (and of what GitHub code scanning requires),
 * checked by hand: no network, no schema download.
 */
import { describe, expect, it } from 'vitest';
import { FINGERPRINT_KEY, SARIF_SCHEMA, pathToUri, renderSarif, sarifLevel, toSarif } from '../../src/render/sarif.js';
import { catalogueFor, failingReview, hostileReview, passingReview, rule } from './fixtures.js';
import type { Review } from '../../src/model.js';

const LEVELS = ['none', 'note', 'warning', 'error'];
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Throws with a path when `log` breaks an essential rule of SARIF 2.1.0. */
function validate(log: unknown): void {
  const fail = (where: string, what: string) => {
    throw new Error(`SARIF ${where}: ${what}`);
  };
  if (!isObject(log)) fail('', 'not an object');
  const l = log as Record<string, unknown>;
  if (l.version !== '2.1.0') fail('version', 'must be "2.1.0"');
  if (typeof l.$schema !== 'string' || !/sarif-2\.1\.0/.test(l.$schema)) fail('$schema', 'must name the 2.1.0 schema');
  if (!Array.isArray(l.runs) || l.runs.length !== 1) fail('runs', 'one run expected');
  const run = (l.runs as unknown[])[0];
  if (!isObject(run) || !isObject(run.tool) || !isObject(run.tool.driver)) fail('runs[0].tool.driver', 'required');
  const driver = (run as { tool: { driver: Record<string, unknown> } }).tool.driver;
  if (typeof driver.name !== 'string' || driver.name === '') fail('driver.name', 'required string');
  if (typeof driver.informationUri !== 'string' || !/^https:\/\//.test(driver.informationUri)) fail('driver.informationUri', 'absolute URI');
  if (!Array.isArray(driver.rules)) fail('driver.rules', 'array');
  const rules = driver.rules as Record<string, unknown>[];
  const ids = new Set<string>();
  rules.forEach((r, i) => {
    const at = `rules[${i}]`;
    if (typeof r.id !== 'string' || r.id === '') fail(at, 'id');
    if (ids.has(r.id as string)) fail(at, `duplicate id ${String(r.id)}`);
    ids.add(r.id as string);
    for (const k of ['shortDescription', 'fullDescription']) {
      const m = r[k];
      if (!isObject(m) || typeof m.text !== 'string' || m.text === '') fail(`${at}.${k}`, 'message with text');
      if (((m as { text: string }).text).length > 1024 && k === 'shortDescription') fail(`${at}.${k}`, 'GitHub: at most 1024 characters');
    }
    if (!isObject(r.help) || typeof r.help.text !== 'string' || typeof r.help.markdown !== 'string') fail(`${at}.help`, 'text and markdown');
    if (!isObject(r.defaultConfiguration) || !LEVELS.includes(r.defaultConfiguration.level as string)) fail(`${at}.defaultConfiguration.level`, 'level');
    const props = r.properties as Record<string, unknown>;
    if (!isObject(props) || !Array.isArray(props.tags) || props.tags.some((t) => typeof t !== 'string')) fail(`${at}.properties.tags`, 'strings');
    if ((props.tags as string[]).length > 20) fail(`${at}.properties.tags`, 'GitHub: at most 20 tags');
    if (!['very-high', 'high', 'medium', 'low'].includes(props.precision as string)) fail(`${at}.properties.precision`, 'GitHub precision');
    if ('security-severity' in props) {
      const n = Number(props['security-severity']);
      if (typeof props['security-severity'] !== 'string' || !(n >= 0 && n <= 10)) fail(`${at}.security-severity`, 'a number 0.0-10.0 as a string');
      if (!(props.tags as string[]).includes('security')) fail(`${at}`, 'security-severity only on security rules');
    }
  });
  if (!Array.isArray((run as Record<string, unknown>).results)) fail('results', 'array');
  ((run as { results: Record<string, unknown>[] }).results).forEach((res, i) => {
    const at = `results[${i}]`;
    if (typeof res.ruleId !== 'string') fail(at, 'ruleId');
    if (typeof res.ruleIndex !== 'number' || rules[res.ruleIndex]?.id !== res.ruleId) fail(at, 'ruleIndex must point at the rule with ruleId');
    if (!LEVELS.includes(res.level as string)) fail(at, 'level');
    if (!isObject(res.message) || typeof res.message.text !== 'string' || res.message.text === '') fail(at, 'message.text');
    if (!Array.isArray(res.locations) || res.locations.length === 0) fail(at, 'locations');
    for (const loc of res.locations as Record<string, any>[]) {
      const uri = loc.physicalLocation?.artifactLocation?.uri;
      if (typeof uri !== 'string' || uri === '') fail(at, 'artifactLocation.uri');
      if (/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith('/')) fail(at, `uri must be relative: ${uri}`);
      if (/[\s<>"`{}|\\^#?%](?![0-9A-F]{2})/i.test(uri.replace(/%[0-9A-F]{2}/g, ''))) fail(at, `uri has characters to encode: ${uri}`);
      const region = loc.physicalLocation.region;
      if (!Number.isInteger(region?.startLine) || region.startLine < 1) fail(at, 'region.startLine >= 1');
      if (region.endLine !== undefined && (!Number.isInteger(region.endLine) || region.endLine < region.startLine)) fail(at, 'region.endLine >= startLine');
    }
    if (!isObject(res.partialFingerprints) || typeof res.partialFingerprints[FINGERPRINT_KEY] !== 'string') fail(at, 'partialFingerprints');
    if (res.baselineState !== undefined && !['new', 'unchanged', 'updated', 'absent'].includes(res.baselineState as string)) fail(at, 'baselineState');
    if (res.suppressions !== undefined) {
      if (!Array.isArray(res.suppressions)) fail(at, 'suppressions array');
      for (const s of res.suppressions as Record<string, unknown>[]) {
        if (!['inSource', 'external'].includes(s.kind as string)) fail(at, 'suppression kind');
        if (s.status !== undefined && !['accepted', 'underReview', 'rejected'].includes(s.status as string)) fail(at, 'suppression status');
      }
    }
  });
}

function sarifOf(r: Review) {
  return toSarif(r, catalogueFor(r.findings), { toolVersion: '0.1.0' });
}

describe('SARIF', () => {
  it.each([
    ['passing', passingReview],
    ['failing', failingReview],
    ['hostile', hostileReview],
  ])('%s is valid SARIF 2.1.0', (_, make) => {
    const r = make();
    const log = sarifOf(r);
    validate(log);
    validate(JSON.parse(renderSarif(r, catalogueFor(r.findings), { toolVersion: '0.1.0' })));
    expect(log.$schema).toBe(SARIF_SCHEMA);
    expect(log.runs[0]!.results).toHaveLength(r.findings.length);
  });

  it('maps severities to levels', () => {
    expect(['critical', 'high', 'medium', 'low', 'info'].map((s) => sarifLevel(s as never))).toEqual(['error', 'error', 'warning', 'note', 'note']);
  });

  it('describes the driver and its rules', () => {
    const r = failingReview();
    const cat = catalogueFor(r.findings, [rule({ id: 'unused-repo-rule', match: [{ kind: 'repository', require: { tree_has: 'CODEOWNERS' } }] })]);
    const log = toSarif(r, cat, { toolVersion: '1.2.3' });
    const driver = log.runs[0]!.tool.driver;
    expect(driver.name).toBe('ML Lens Reviewer');
    expect(driver.version).toBe('1.2.3');
    const kms = driver.rules.find((x) => x.id === 'sagemaker-endpoint-kms')!;
    expect(kms.properties.tags).toEqual(['security', 'deployment', 'MLSEC02-BP01']);
    expect(kms.properties['security-severity']).toBe('8.0');
    expect(kms.help.markdown).toContain('**How to fix:** Set kms_key_arn to a KMS key');
    expect(kms.helpUri).toBe('https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec02-bp01.html');
    expect(driver.rules.find((x) => x.id === 'endpoint-autoscaling')!.properties['security-severity']).toBeUndefined();
    expect(driver.rules.find((x) => x.id === 'unused-repo-rule')!.properties.precision).toBe('medium');
    // a finding whose rule is not in the catalogue still gets a rule entry
    expect(driver.rules.some((x) => x.id === 'parse-error')).toBe(true);
  });

  it('marks baseline state, suppressions and fingerprints', () => {
    const log = sarifOf(failingReview());
    const results = log.runs[0]!.results;
    const byRule = (id: string, path?: string) => results.find((x) => x.ruleId === id && (!path || x.locations[0]!.physicalLocation.artifactLocation.uri === path))!;
    expect(byRule('sagemaker-endpoint-kms').baselineState).toBe('new');
    expect(byRule('sagemaker-endpoint-kms').level).toBe('error');
    expect(byRule('s3-bucket-versioning').baselineState).toBe('unchanged');
    const cfg = byRule('sagemaker-endpoint-data-capture');
    expect(cfg.suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: 'dev endpoints are throw-away (until 2027-01-31)' }]);
    expect(cfg.baselineState).toBeUndefined();
    expect(byRule('training-spot-instances', 'pipelines/tune.json').suppressions![0]!.kind).toBe('inSource');
    expect(byRule('sagemaker-endpoint-kms').partialFingerprints).toEqual({ 'mlLens/v1': failingReview().findings[0]!.fingerprint });
    expect(byRule('sagemaker-endpoint-kms').locations[0]!.physicalLocation.region).toEqual({ startLine: 3, endLine: 12 });
  });

  it('encodes paths as relative URI references', () => {
    expect(pathToUri('infra/main.tf')).toBe('infra/main.tf');
    expect(pathToUri('infra/`weird`|name @org/team.tf')).toBe('infra/%60weird%60%7Cname%20@org/team.tf');
    expect(pathToUri('a#b/c?d.tf')).toBe('a%23b/c%3Fd.tf');
    expect(pathToUri('c:/x.tf')).toBe('c%3A/x.tf');
    expect(pathToUri('/abs/x.tf')).toBe('abs/x.tf');
    expect(pathToUri('infra/\u001b[31m.tf')).toBe('infra/%1B%5B31m.tf');
  });
});
