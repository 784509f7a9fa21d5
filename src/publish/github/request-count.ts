/**
 * Counting the HTTP requests of a publish (the API budget is a tracked figure) through the
 * client's own request hook, so every request is counted — REST, GraphQL, each page of a list —
 * without any publisher having to remember to.
 *
 * One `before('request')` hook is attached per client, the first time it is counted, and stays:
 * it only counts while a `countRequests` scope is active in the calling async context
 * (AsyncLocalStorage). So a later publish with the same client starts from zero, two publishes
 * running at once on one client each count their own requests, and attaching never stacks a second
 * hook (which would count every request twice).
 *
 * The hook is attached last, so it is the outermost: a retry or a token refresh inside another
 * plugin's hook is not counted again, as a person counting the calls would not. The installation
 * token request of Probot's auth goes through the App's own client, so it is not counted either.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The part of an Octokit client (`@octokit/rest` or Probot's) this module uses. */
export interface HookedClient {
  hook: { before(name: 'request', fn: () => void): void };
}

interface Scope {
  n: number;
  /** An enclosing scope also counts what this one counts. */
  parent: Scope | undefined;
}

const active = new AsyncLocalStorage<Scope>();
const hooked = new WeakSet<object>();

function attach(client: HookedClient): void {
  if (hooked.has(client.hook)) return;
  hooked.add(client.hook);
  client.hook.before('request', () => {
    for (let s = active.getStore(); s; s = s.parent) s.n++;
  });
}

/**
 * Runs `fn` and counts the requests `client` makes for it: those started in `fn`'s async context
 * (what it awaits, and what that awaits), not those of anything else running meanwhile.
 */
export async function countRequests<T>(client: HookedClient, fn: () => Promise<T>): Promise<{ result: T; requests: number }> {
  attach(client);
  const scope: Scope = { n: 0, parent: active.getStore() };
  const result = await active.run(scope, fn);
  return { result, requests: scope.n };
}
