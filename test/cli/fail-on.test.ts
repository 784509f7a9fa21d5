/** `--fail-on SEV`: the gate's severity for one run, instead of the configuration's gate.fail_on. */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './run.js';

const AFTER = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'examples', 'after');

describe('--fail-on', () => {
  it('scan: the example fails at high (its configuration), passes at critical, fails at medium', async () => {
    const run = async (extra: string[]) => JSON.parse((await runCli(['scan', AFTER, '--format', 'json', ...extra])).stdout) as { gate: { conclusion: string; reasons: string[] } };
    expect((await runCli(['scan', AFTER, '--format', 'json'])).code).toBe(1);
    const critical = await runCli(['scan', AFTER, '--format', 'json', '--fail-on', 'critical']);
    expect(critical.code).toBe(0);
    expect((await run(['--fail-on', 'critical'])).gate.reasons.join('\n')).toMatch(/below the gate's severity \(critical\)/);
    expect((await runCli(['scan', AFTER, '--format', 'json', '--fail-on', 'medium'])).code).toBe(1);
  });

  it('a severity it does not know: exit code 2 naming the choices', async () => {
    const r = await runCli(['scan', AFTER, '--fail-on', 'urgent']);
    expect([r.code, r.stderr]).toEqual([2, 'ml-lens: --fail-on: expected one of critical, high, medium, low, info, got "urgent"\n']);
  });
});
