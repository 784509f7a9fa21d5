/**
 * Where the commands that read a working tree (scan, rules, explain) take their configuration and
 * catalogue from, and how `--config FILE` is named in messages.
 */
import { resolve } from 'node:path';
import { repoSettings, type RepoSettings } from '../repo-settings.js';
import { readWorkingFiles } from '../sources/repo-files.js';
import type { Values } from './args.js';
import { cwdRelative, type Io } from './io.js';

/** `--config FILE`, read as given (the user's own choice), with its name for messages. */
export function explicitConfig(values: Values, io: Io): { file: string; label: string } | undefined {
  if (values.config === undefined) return undefined;
  const file = resolve(io.cwd, values.config);
  return { file, label: cwdRelative(file, io.cwd) };
}

/** Configuration and catalogue from a working tree (scan, rules, explain); see repo-settings.ts. */
export function workingTreeSettings(root: string, values: Values, io: Io): Promise<RepoSettings> {
  return repoSettings((request) => readWorkingFiles(root, request), '', explicitConfig(values, io));
}
