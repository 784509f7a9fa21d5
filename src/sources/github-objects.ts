/**
 * Contents for the GitHub source (github.ts), read in batches: one GraphQL query reads many
 * `<sha>:<path>` objects (blobs, or a folder's files with their texts), split in two and retried
 * when GitHub times out; `git.getBlob` reads a blob GraphQL returned truncated.
 */
import { BINARY_REASON, isBinary, MAX_FILE_BYTES, readableText, tooLargeReason } from './files.js';
import type { RepoTarget } from './github-listing.js';

/** One object to read: `<sha or branch>:<path>`; `tree` lists a folder's files with their texts. */
export interface ObjectSpec {
  expression: string;
  tree?: boolean;
}

export interface FetchedBlob {
  type: 'blob';
  oid: string;
  byteSize: number;
  isBinary: boolean | null;
  isTruncated: boolean;
  text: string | null;
}

export type FetchedObject =
  | FetchedBlob
  | { type: 'missing' }
  | { type: 'other'; typename: string }
  | { type: 'tree'; entries: { name: string; type: string; mode: number; blob: FetchedBlob | null }[] };

const BLOB_FIELDS = 'oid byteSize isBinary isTruncated text';

/** The GraphQL document for one batch (expressions are variables, so no path is ever spliced in). */
export function objectsQuery(specs: readonly ObjectSpec[]): string {
  const vars = specs.map((_, i) => `$e${i}: String!`).join(', ');
  const fields = specs
    .map((s, i) =>
      s.tree
        ? `    o${i}: object(expression: $e${i}) { __typename ... on Tree { entries { name type mode object { __typename ... on Blob { ${BLOB_FIELDS} } } } } }`
        : `    o${i}: object(expression: $e${i}) { __typename ... on Blob { ${BLOB_FIELDS} } }`,
    )
    .join('\n');
  return `query MlLensObjects($owner: String!, $name: String!${vars ? `, ${vars}` : ''}) {\n  repository(owner: $owner, name: $name) {\n${fields}\n  }\n}`;
}

interface RawBlob {
  __typename?: string;
  oid?: string;
  byteSize?: number;
  isBinary?: boolean | null;
  isTruncated?: boolean;
  text?: string | null;
}
interface RawObject extends RawBlob {
  entries?: { name: string; type: string; mode?: number; object: RawBlob | null }[];
}

function toBlob(raw: RawBlob): FetchedBlob {
  return {
    type: 'blob',
    oid: raw.oid ?? '',
    byteSize: raw.byteSize ?? 0,
    isBinary: raw.isBinary ?? null,
    isTruncated: raw.isTruncated ?? false,
    text: raw.text ?? null,
  };
}

function toObject(raw: RawObject | null | undefined): FetchedObject {
  if (!raw) return { type: 'missing' };
  if (raw.__typename === 'Blob') return toBlob(raw);
  if (raw.__typename === 'Tree') {
    return {
      type: 'tree',
      entries: (raw.entries ?? []).map((e) => ({
        name: e.name,
        type: e.type,
        mode: e.mode ?? 0,
        blob: e.object && e.object.__typename === 'Blob' ? toBlob(e.object) : null,
      })),
    };
  }
  return { type: 'other', typename: raw.__typename ?? 'unknown' };
}

function isTimeout(e: unknown): boolean {
  const status = (e as { status?: number }).status;
  return status === 502 || status === 504;
}

/**
 * Runs one GraphQL query per batch and returns the objects in the same shape. A batch GitHub
 * times out on (502/504) is split in two and retried, down to single objects.
 */
export async function fetchObjects(gh: RepoTarget, batches: readonly (readonly ObjectSpec[])[]): Promise<FetchedObject[][]> {
  const out: FetchedObject[][] = [];
  for (const batch of batches) out.push(await fetchBatch(gh, batch));
  return out;
}

async function fetchBatch(gh: RepoTarget, specs: readonly ObjectSpec[]): Promise<FetchedObject[]> {
  if (specs.length === 0) return [];
  const variables: Record<string, string> = { owner: gh.owner, name: gh.repo };
  specs.forEach((s, i) => (variables[`e${i}`] = s.expression));
  try {
    const data = await gh.octokit.graphql<{ repository: Record<string, RawObject | null> | null }>(objectsQuery(specs), variables);
    const repo = data.repository ?? {};
    return specs.map((_, i) => toObject(repo[`o${i}`]));
  } catch (e) {
    if (!isTimeout(e) || specs.length === 1) throw e;
    const half = Math.ceil(specs.length / 2);
    return [...(await fetchBatch(gh, specs.slice(0, half))), ...(await fetchBatch(gh, specs.slice(half)))];
  }
}

/**
 * A blob's text, or why it is not read. Truncated texts, and blobs whose encoding GitHub could not
 * tell, are read again through `git.getBlob` and decoded here (UTF-16 included).
 */
export async function blobText(gh: RepoTarget, blob: FetchedBlob, maxBytes = MAX_FILE_BYTES): Promise<{ text: string } | { skipped: string }> {
  if (blob.byteSize > maxBytes) return { skipped: tooLargeReason(blob.byteSize, maxBytes) };
  if (blob.isBinary === true) return { skipped: BINARY_REASON };
  if (blob.text !== null && !blob.isTruncated) {
    return isBinary(encoder.encode(blob.text.slice(0, 8192))) ? { skipped: BINARY_REASON } : { text: blob.text };
  }
  const res = await gh.octokit.rest.git.getBlob({ owner: gh.owner, repo: gh.repo, file_sha: blob.oid });
  const bytes = res.data.encoding === 'base64' ? Buffer.from(res.data.content, 'base64') : Buffer.from(res.data.content, 'utf8');
  return readableText(bytes, res.data.size ?? bytes.length, maxBytes);
}

const encoder = new TextEncoder();
