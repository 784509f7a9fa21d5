/**
 * Shared setup of the publishing tests: a real @octokit/rest client against nock (no network),
 * every request recorded and checked against GitHub's published API descriptions, and no mock
 * left unused.
 */
import { Octokit } from '@octokit/rest';
import nock from 'nock';
import { afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { configSchema, type Config } from '../../src/config/schema.js';
import type { Finding, Review } from '../../src/model.js';
import { countRequests, resetLabelCache, type GitHubTarget } from '../../src/publish/github/index.js';
import { recordRequests, type Recorder } from '../github/contract.js';
import { finding, review } from '../render/fixtures.js';

export const OWNER = 'acme';
export const REPO = 'models';
export const API = 'https://api.github.com';
export const HEAD = 'b'.repeat(40);
export const BASE = 'a'.repeat(40);
export const REPO_PATH = `/repos/${OWNER}/${REPO}`;

export function target(): GitHubTarget {
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  return { octokit: new Octokit({ auth: 'x', request: { retries: 0 }, log: quiet }), owner: OWNER, repo: REPO };
}

/** Runs `fn` against a fresh client; returns its result and the requests the client made for it. */
export function counting<T>(fn: (gh: GitHubTarget) => Promise<T>): Promise<{ result: T; requests: number }> {
  const gh = target();
  return countRequests(gh.octokit, () => fn(gh));
}

export function config(over: Record<string, unknown> = {}): Config {
  return configSchema.parse(over);
}

export { finding, review };

export type { Finding, Review };

/** A bot author, as GitHub reports an App's comments and issues. */
export const BOT = { login: 'ml-lens[bot]', type: 'Bot' };
export const HUMAN = { login: 'octocat', type: 'User' };

/**
 * Per test: a recorder for every request (checked against the contract after the test), and
 * checks that every mock was used.
 */
export function useGitHub(): { rec: () => Recorder } {
  let rec: Recorder | undefined;
  beforeAll(() => nock.disableNetConnect());
  beforeEach(() => {
    resetLabelCache();
    rec = recordRequests();
  });
  afterEach(() => {
    try {
      expect(nock.pendingMocks(), 'mocks not used').toEqual([]);
      rec!.assertAllValid();
    } finally {
      rec!.stop();
      nock.cleanAll();
    }
  });
  return { rec: () => rec! };
}

/** A nock body matcher that keeps the body it saw. */
export function capture<T = any>(into: T[]): (body: T) => boolean {
  return (body) => {
    into.push(body);
    return true;
  };
}
