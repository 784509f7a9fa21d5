/**
 * Contract checks for tests that mock GitHub: every request a test makes can be validated against
 * GitHub's published descriptions, so the mocks cannot drift from the real API.
 *
 * - REST: the method and path must match an operation of `@octokit/openapi`'s api.github.com
 *   description; path parameters must fit their schema; query parameters must be known to the
 *   operation (and fit); the JSON body must validate against the operation's requestBody schema
 *   (with `$ref`s resolved, `nullable` understood, and unknown fields reported: GitHub ignores
 *   unknown fields, which is exactly how a typo goes unnoticed).
 * - GraphQL: the document must parse and `validate()` against `@octokit/graphql-schema`'s schema,
 *   and the variables must fit the operation's variable definitions (required ones present, types
 *   right, none unknown).
 *
 * `recordRequests()` hooks nock so any test can record every request it made (matched by an
 * interceptor or not) and assert that all of them are valid. The descriptions are loaded once per
 * worker, lazily, and compiled validators are cached per operation.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvModule from 'ajv/dist/2019.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import {
  buildSchema,
  getVariableValues,
  parse,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import nock from 'nock';

// ---------------------------------------------------------------------------------------------
// Loading the descriptions (once per worker)
// ---------------------------------------------------------------------------------------------

/** Finds a file of an installed package by walking up from this file to a node_modules. */
function packageFile(pkg: string, file: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'node_modules', pkg, file);
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error(`contract: cannot find ${pkg}/${file} in any node_modules above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonObject;
  'x-multi-segment'?: boolean;
}

interface Operation {
  method: string;
  template: string;
  operationId: string;
  regex: RegExp;
  pathParams: string[];
  literals: number;
  parameters: OpenApiParameter[];
  body: { required: boolean; schema: JsonObject | null; contentTypes: string[] } | null;
}

interface Spec {
  raw: JsonObject;
  byMethod: Map<string, Operation[]>;
}

let spec: Spec | null = null;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function loadSpec(): Spec {
  if (spec) return spec;
  const raw = JSON.parse(readFileSync(packageFile('@octokit/openapi', 'generated/api.github.com.json'), 'utf8')) as JsonObject;
  const paths = raw.paths as Record<string, Record<string, JsonObject>>;
  const byMethod = new Map<string, Operation[]>();
  for (const [template, item] of Object.entries(paths)) {
    const shared = (item.parameters as unknown as JsonObject[] | undefined) ?? [];
    for (const [method, opJson] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const parameters = [...shared, ...((opJson.parameters as JsonObject[] | undefined) ?? [])].map(
        (p) => resolveRef(raw, p) as unknown as OpenApiParameter,
      );
      const pathParams: string[] = [];
      let literals = 0;
      const pattern = template
        .split('/')
        .map((segment) => {
          if (!segment.includes('{')) {
            if (segment) literals++;
            return escapeRegex(segment);
          }
          return segment.replace(/\{([^}]+)\}|([^{]+)/g, (_m, name: string | undefined, lit: string | undefined) => {
            if (lit !== undefined) return escapeRegex(lit);
            pathParams.push(name!);
            const param = parameters.find((p) => p.in === 'path' && p.name === name);
            return param?.['x-multi-segment'] ? '(.+)' : '([^/]+)';
          });
        })
        .join('/');
      let body: Operation['body'] = null;
      if (opJson.requestBody) {
        const rb = resolveRef(raw, opJson.requestBody) as JsonObject;
        const content = (rb.content ?? {}) as Record<string, JsonObject>;
        body = {
          required: rb.required === true,
          schema: (content['application/json']?.schema as JsonObject | undefined) ?? null,
          contentTypes: Object.keys(content),
        };
      }
      const op: Operation = {
        method: method.toUpperCase(),
        template,
        operationId: String(opJson.operationId ?? `${method} ${template}`),
        regex: new RegExp(`^${pattern}$`),
        pathParams,
        literals,
        parameters,
        body,
      };
      const list = byMethod.get(op.method) ?? [];
      list.push(op);
      byMethod.set(op.method, list);
    }
  }
  // The most literal template first: `/issues/comments` before `/issues/{issue_number}`.
  for (const list of byMethod.values()) list.sort((a, b) => b.literals - a.literals || a.pathParams.length - b.pathParams.length);
  spec = { raw, byMethod };
  return spec;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function resolveRef(root: JsonObject, value: Json): Json {
  let v = value;
  for (let i = 0; i < 20 && v && typeof v === 'object' && !Array.isArray(v) && typeof v.$ref === 'string'; i++) {
    v = pointer(root, v.$ref);
  }
  return v;
}

function pointer(root: JsonObject, ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`contract: unsupported $ref ${ref}`);
  let node: Json = root;
  for (const part of ref.slice(2).split('/')) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!node || typeof node !== 'object' || Array.isArray(node) || !(key in node)) throw new Error(`contract: unresolvable $ref ${ref}`);
    node = node[key]!;
  }
  return node;
}

// ---------------------------------------------------------------------------------------------
// Schemas: inline $refs, OpenAPI 3.0 -> JSON Schema 2019-09, close objects
// ---------------------------------------------------------------------------------------------

/** Keywords whose values are schemas (or lists / maps of schemas). */
const SUBSCHEMA_LIST = ['oneOf', 'anyOf', 'allOf'];

/**
 * A self-contained JSON Schema for a request body: `$ref`s inlined (a cycle becomes `{}`),
 * OpenAPI's `nullable` turned into a `null` type, and every object that lists its properties and
 * says nothing about others closed with `unevaluatedProperties: false` (which, unlike
 * `additionalProperties`, sees the properties of `oneOf`/`anyOf`/`allOf` branches).
 */
function toJsonSchema(root: JsonObject, schema: Json, stack: string[] = [], valuePosition = true): Json {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  if (typeof schema.$ref === 'string') {
    if (stack.includes(schema.$ref)) return {};
    return toJsonSchema(root, pointer(root, schema.$ref), [...stack, schema.$ref], valuePosition);
  }
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable' || key === 'example' || key === 'examples' || key === 'deprecated' || key === 'readOnly' || key.startsWith('x-')) continue;
    if (key === 'properties' && value && typeof value === 'object' && !Array.isArray(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, toJsonSchema(root, sub, stack, true)]));
    } else if ((key === 'items' || key === 'additionalProperties' || key === 'not') && value && typeof value === 'object') {
      out[key] = toJsonSchema(root, value, stack, true);
    } else if (SUBSCHEMA_LIST.includes(key) && Array.isArray(value)) {
      // A branch sees the whole object: it must not close it on its own.
      out[key] = value.map((sub) => toJsonSchema(root, sub, stack, false));
    } else {
      out[key] = value;
    }
  }
  if (schema.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  if (valuePosition && out.additionalProperties === undefined && out.unevaluatedProperties === undefined && listsProperties(out)) {
    out.unevaluatedProperties = false;
  }
  // `nullable` without a `type` (e.g. a nullable oneOf): null or the schema.
  if (schema.nullable === true && out.type === undefined) return { anyOf: [{ type: 'null' }, out] };
  return out;
}

function listsProperties(schema: JsonObject): boolean {
  if (schema.properties && typeof schema.properties === 'object' && Object.keys(schema.properties).length > 0) return true;
  return SUBSCHEMA_LIST.some(
    (k) =>
      Array.isArray(schema[k]) &&
      (schema[k] as Json[]).some((b) => b !== null && typeof b === 'object' && !Array.isArray(b) && listsProperties(b)),
  );
}

type AjvInstance = {
  compile(schema: unknown): ValidateFunction;
};
type AjvConstructor = new (opts: Record<string, unknown>) => AjvInstance;

let ajv: AjvInstance | null = null;
const bodyValidators = new Map<string, ValidateFunction | Error>();

function getAjv(): AjvInstance {
  if (ajv) return ajv;
  const mod = AjvModule as unknown as { default?: AjvConstructor } & AjvConstructor;
  const Ajv: AjvConstructor = mod.default ?? mod;
  const instance = new Ajv({ strict: false, allErrors: true, logger: false, validateSchema: false, unicodeRegExp: false });
  const fm = formatsModule as unknown as { default?: (a: AjvInstance) => void } & ((a: AjvInstance) => void);
  const addFormats = fm.default ?? fm;
  addFormats(instance);
  ajv = instance;
  return instance;
}

function bodyValidator(op: Operation): ValidateFunction | Error {
  const key = `${op.method} ${op.template}`;
  let v = bodyValidators.get(key);
  if (!v) {
    try {
      v = getAjv().compile(toJsonSchema(loadSpec().raw, op.body!.schema));
    } catch (err) {
      v = err instanceof Error ? err : new Error(String(err));
    }
    bodyValidators.set(key, v);
  }
  return v;
}

function describeAjvError(e: ErrorObject): string {
  const where = e.instancePath ? `body${e.instancePath}` : 'body';
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'unevaluatedProperties':
      return `${where}: unknown field ${JSON.stringify(params.unevaluatedProperty)}`;
    case 'additionalProperties':
      return `${where}: unknown field ${JSON.stringify(params.additionalProperty)}`;
    case 'required':
      return `${where}: missing required field ${JSON.stringify(params.missingProperty)}`;
    case 'enum':
      return `${where} ${e.message}: ${JSON.stringify(params.allowedValues)}`;
    default:
      return `${where} ${e.message}`;
  }
}

// ---------------------------------------------------------------------------------------------
// REST
// ---------------------------------------------------------------------------------------------

export interface RestRequest {
  method: string;
  /** The path, optionally with its query string, or a whole URL. */
  path: string;
  query?: Record<string, string | string[] | number | boolean | undefined>;
  /** The parsed JSON body (or a raw string when it was not JSON). */
  body?: unknown;
}

/** The operation a request maps to, or null; useful for messages. */
export function findOperation(method: string, path: string): { operationId: string; template: string; params: Record<string, string> } | null {
  const m = matchOperation(method, splitUrl(path).pathname);
  return m ? { operationId: m.op.operationId, template: m.op.template, params: m.params } : null;
}

function splitUrl(path: string): { pathname: string; search: URLSearchParams } {
  const url = new URL(path, 'https://api.github.com');
  let pathname = url.pathname;
  if (pathname.startsWith('/api/v3/')) pathname = pathname.slice('/api/v3'.length); // GitHub Enterprise Server
  if (pathname.length > 1 && pathname.endsWith('/')) pathname = pathname.slice(0, -1);
  return { pathname, search: url.searchParams };
}

function matchOperation(method: string, pathname: string): { op: Operation; params: Record<string, string> } | null {
  const ops = loadSpec().byMethod.get(method.toUpperCase()) ?? [];
  for (const op of ops) {
    const m = op.regex.exec(pathname);
    if (!m) continue;
    const params: Record<string, string> = {};
    op.pathParams.forEach((name, i) => {
      params[name] = safeDecode(m[i + 1]!);
    });
    return { op, params };
  }
  return null;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Checks a path or query value (always a string on the wire) against its parameter schema. */
function checkParamValue(where: string, name: string, value: string, schema: JsonObject | undefined): string[] {
  if (!schema) return [];
  const s = toJsonSchema(loadSpec().raw, schema) as JsonObject;
  const types = Array.isArray(s.type) ? s.type : s.type !== undefined ? [s.type] : [];
  const problems: string[] = [];
  if (types.includes('integer') && !types.includes('string') && !/^-?\d+$/.test(value)) problems.push(`${where} ${name}=${JSON.stringify(value)} is not an integer`);
  else if (types.includes('number') && !types.includes('string') && Number.isNaN(Number(value))) problems.push(`${where} ${name}=${JSON.stringify(value)} is not a number`);
  else if (types.includes('boolean') && !['true', 'false'].includes(value)) problems.push(`${where} ${name}=${JSON.stringify(value)} is not a boolean`);
  if (Array.isArray(s.enum) && !s.enum.map(String).includes(value)) problems.push(`${where} ${name}=${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`);
  if (typeof s.minimum === 'number' && Number(value) < s.minimum) problems.push(`${where} ${name}=${value} is below ${s.minimum}`);
  if (typeof s.maximum === 'number' && Number(value) > s.maximum) problems.push(`${where} ${name}=${value} is above ${s.maximum}`);
  return problems;
}

/**
 * Problems of a REST request against GitHub's description; empty when it is a valid request.
 */
export function validateRestRequest(req: RestRequest): string[] {
  const method = req.method.toUpperCase();
  const { pathname, search } = splitUrl(req.path);
  const label = `${method} ${pathname}`;
  const match = matchOperation(method, pathname);
  if (!match) {
    const other = [...loadSpec().byMethod.entries()].filter(([m, ops]) => m !== method && ops.some((o) => o.regex.test(pathname))).map(([m]) => m);
    return [`${label}: no such operation in GitHub's REST API${other.length ? ` (the path exists for ${other.join(', ')})` : ''}`];
  }
  const { op, params } = match;
  const at = `${label} (${op.operationId})`;
  const problems: string[] = [];

  for (const [name, value] of Object.entries(params)) {
    const p = op.parameters.find((x) => x.in === 'path' && x.name === name);
    problems.push(...checkParamValue('path parameter', name, value, p?.schema).map((m) => `${at}: ${m}`));
  }

  const query = new Map<string, string[]>();
  for (const [k, v] of search) query.set(k, [...(query.get(k) ?? []), v]);
  for (const [k, v] of Object.entries(req.query ?? {})) {
    if (v === undefined) continue;
    query.set(k, [...(query.get(k) ?? []), ...(Array.isArray(v) ? v.map(String) : [String(v)])]);
  }
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  for (const [name, values] of query) {
    const bare = name.endsWith('[]') ? name.slice(0, -2) : name;
    const p = queryParams.find((x) => x.name === name || x.name === bare);
    if (!p) {
      problems.push(`${at}: unknown query parameter ${JSON.stringify(name)} (known: ${queryParams.map((x) => x.name).join(', ') || 'none'})`);
      continue;
    }
    for (const v of values) problems.push(...checkParamValue('query parameter', name, v, p.schema).map((m) => `${at}: ${m}`));
  }
  for (const p of queryParams) {
    if (p.required && !query.has(p.name)) problems.push(`${at}: missing required query parameter ${JSON.stringify(p.name)}`);
  }

  const hasBody = req.body !== undefined && req.body !== null && req.body !== '';
  if (!op.body) {
    if (hasBody && !(typeof req.body === 'object' && Object.keys(req.body as object).length === 0)) {
      problems.push(`${at}: the operation takes no request body, but one was sent`);
    }
  } else if (!hasBody) {
    if (op.body.required) problems.push(`${at}: missing the required request body`);
  } else if (op.body.schema) {
    if (typeof req.body === 'string') {
      problems.push(`${at}: the body is not JSON`);
    } else {
      const v = bodyValidator(op);
      if (v instanceof Error) problems.push(`${at}: could not compile the body schema: ${v.message}`);
      else if (!v(req.body)) problems.push(...dedupe((v.errors ?? []).map(describeAjvError)).map((m) => `${at}: ${m}`));
    }
  }
  return problems;
}

function dedupe(list: string[]): string[] {
  return [...new Set(list)];
}

// ---------------------------------------------------------------------------------------------
// GraphQL
// ---------------------------------------------------------------------------------------------

let gqlSchema: GraphQLSchema | null = null;

function loadGraphqlSchema(): GraphQLSchema {
  gqlSchema ??= buildSchema(readFileSync(packageFile('@octokit/graphql-schema', 'schema.graphql'), 'utf8'), { assumeValidSDL: true });
  return gqlSchema;
}

/** Problems of a GraphQL request against GitHub's schema; empty when it is valid. */
export function validateGraphql(query: string, variables?: Record<string, unknown> | null): string[] {
  if (typeof query !== 'string' || !query.trim()) return ['graphql: no query'];
  let doc: DocumentNode;
  try {
    doc = parse(query);
  } catch (err) {
    return [`graphql: syntax error: ${(err as Error).message}`];
  }
  const schema = loadGraphqlSchema();
  const problems = validate(schema, doc).map((e) => `graphql: ${e.message}`);
  if (problems.length) return problems;
  const ops = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  if (ops.length !== 1) return [`graphql: expected exactly one operation, found ${ops.length}`];
  const op = ops[0]!;
  const defs = op.variableDefinitions ?? [];
  const vars = variables ?? {};
  const coerced = getVariableValues(schema, defs, vars);
  if (coerced.errors) problems.push(...coerced.errors.map((e) => `graphql: ${e.message}`));
  const defined = new Set(defs.map((d) => d.variable.name.value));
  for (const name of Object.keys(vars)) {
    if (!defined.has(name)) problems.push(`graphql: variable $${name} is sent but not defined by the operation`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Recording every request a test makes
// ---------------------------------------------------------------------------------------------

export interface Recorded {
  method: string;
  host: string;
  /** Path with the query string. */
  path: string;
  /** Path without the query string. */
  pathname: string;
  query: Record<string, string | string[]>;
  /** Parsed JSON body, the raw text when it was not JSON, undefined when empty. */
  body: unknown;
  /** False when no nock interceptor matched (the request failed in the test). */
  matched: boolean;
  /** `graphql` for POST /graphql, else `rest`. */
  kind: 'rest' | 'graphql';
}

export interface Recorder {
  requests: Recorded[];
  /** Throws one error listing every problem of every recorded request (and every unmatched one). */
  assertAllValid(): void;
  /** Problems per request, for tests that want to look. */
  problems(): { request: Recorded; problems: string[] }[];
  count(): number;
  /** Stops recording (recorders also stop when the scope they watch is garbage). */
  stop(): void;
}

interface ActiveRecorder {
  scope: object | undefined;
  push(r: Recorded): void;
}

const active = new Set<ActiveRecorder>();
let hooked = false;

interface NockLikeRequest {
  method?: string | undefined;
  path?: string | undefined;
  host?: string;
  hostname?: string;
  getHeader?: (name: string) => unknown;
  headers?: Record<string, unknown>;
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  // Matched requests: every Scope emits `request` (req, interceptor, body) when it plays one back.
  // Scopes are created by user code at any time, so patch the prototype's emit once.
  const proto = Object.getPrototypeOf(nock('https://contract-hook.invalid')) as { emit: (...args: unknown[]) => boolean };
  const original = proto.emit;
  proto.emit = function patchedEmit(this: object, event: unknown, ...args: unknown[]): boolean {
    if (event === 'request' && active.size > 0) {
      const [req, interceptor, body] = args as [NockLikeRequest, { basePath?: string } | undefined, string | undefined];
      const rec = toRecorded(req, interceptor?.basePath, body, true);
      for (const r of active) if (!r.scope || r.scope === this) r.push(rec);
    }
    return original.call(this, event, ...args);
  };
  // Unmatched requests: nock's global emitter says `no match` with (req, options, body) or (options).
  nock.emitter.on('no match', (...args: unknown[]) => {
    if (active.size === 0) return;
    const [first, second, body] = args as [NockLikeRequest, NockLikeRequest | undefined, string | undefined];
    const opts = second ?? first;
    const rec = toRecorded({ ...opts, method: first.method ?? opts.method, path: first.path ?? opts.path }, undefined, body, false);
    for (const r of active) if (!r.scope) r.push(rec);
  });
}

function toRecorded(req: NockLikeRequest, basePath: string | undefined, bodyText: string | undefined, matched: boolean): Recorded {
  const hostHeader = req.getHeader?.('host') ?? req.headers?.host;
  const host = String(hostHeader ?? req.hostname ?? req.host ?? (basePath ? new URL(basePath).host : ''));
  const path = req.path ?? '/';
  const url = new URL(path, 'https://placeholder.invalid');
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  let body: unknown = undefined;
  if (bodyText !== undefined && bodyText !== '') {
    try {
      body = JSON.parse(bodyText);
    } catch {
      body = bodyText;
    }
  }
  const method = (req.method ?? 'GET').toUpperCase();
  const pathname = url.pathname;
  const kind = method === 'POST' && /(^|\/)(api\/)?graphql$/.test(pathname.replace(/^\//, '')) ? 'graphql' : 'rest';
  return { method, host, path, pathname, query, body, matched, kind };
}

/** Problems of one recorded request. */
export function validateRecorded(r: Recorded): string[] {
  const problems: string[] = [];
  if (!r.matched) problems.push(`${r.method} ${r.path}: no nock interceptor matched this request`);
  if (r.kind === 'graphql') {
    const b = (r.body ?? {}) as { query?: string; variables?: Record<string, unknown> };
    problems.push(...validateGraphql(b.query ?? '', b.variables));
  } else {
    problems.push(...validateRestRequest({ method: r.method, path: r.path, body: r.body }));
  }
  return problems;
}

/**
 * Records every request nock sees from now on (only those of `scope` when given) until `stop()`.
 * Call `assertAllValid()` at the end of a test.
 */
export function recordRequests(scope?: nock.Scope): Recorder {
  hook();
  const requests: Recorded[] = [];
  const entry: ActiveRecorder = { scope, push: (r) => requests.push(r) };
  active.add(entry);
  const problems = () => requests.map((request) => ({ request, problems: validateRecorded(request) })).filter((p) => p.problems.length > 0);
  return {
    requests,
    problems,
    assertAllValid() {
      const bad = problems();
      if (bad.length === 0) return;
      const lines = bad.flatMap((b) => b.problems.map((p) => `  - ${p}`));
      throw new Error(`${bad.length} of ${requests.length} recorded GitHub request(s) break the published API contract:\n${lines.join('\n')}`);
    },
    count: () => requests.length,
    stop() {
      active.delete(entry);
    },
  };
}
