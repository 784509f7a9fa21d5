/**
 * The repository's configuration and custom rules, as the command line takes them:
 *
 * - `review` reads them from the **base** commit (the tip of the branch the change would merge
 *   into), as the GitHub App reads them from the default branch, so a change cannot relax its own
 *   gate by editing `.github/ml-lens.yml` or adding a rule file;
 * - `scan`, `rules` and `explain` read them from the working tree;
 * - either way only from inside the repository and never through a symbolic link (the readers
 *   refuse both), and an explicit `--config FILE` is read as given.
 *
 * The custom rules become a catalogue through the same function as in the App (jobs/setup.ts).
 */
import { ConfigError, loadConfig, parseConfig, REPO_CONFIG_PATHS } from './config/load.js';
import { defaultConfig, type Config } from './config/schema.js';
import { createEngine } from './engine.js';
import { repoSetup, SetupError } from './jobs/setup.js';
import { customRulesFolder } from './plan.js';
import type { Catalogue } from './model.js';
import type { CommitFiles } from './sources/git.js';

export type ReadFiles = (request: { files?: readonly string[]; dirs?: readonly string[] }) => Promise<CommitFiles>;

export interface RepoSettings {
  config: Config;
  /** The configuration file in use, for messages (undefined: the defaults). */
  configPath: string | undefined;
  catalogue: Catalogue;
}

/**
 * `read` reads the repository (a commit or the working tree); `where` says which, for messages
 * (` on main (1a2b3c4)`); `explicit` is an absolute `--config` path and its display name.
 */
export async function repoSettings(read: ReadFiles, where: string, explicit?: { file: string; label: string }): Promise<RepoSettings> {
  let config: Config;
  let configPath: string | undefined;
  if (explicit) {
    config = loadConfig(explicit.file, explicit.label);
    configPath = explicit.label;
  } else {
    const got = await read({ files: REPO_CONFIG_PATHS });
    const found = REPO_CONFIG_PATHS.find((p) => got.files.get(p) != null || got.skipped.has(p));
    if (found) {
      const refused = got.skipped.get(found);
      if (refused !== undefined) throw new ConfigError(`${found}${where}`, [refused]);
      config = parseConfig(got.files.get(found)!, `${found}${where}`);
      configPath = found;
    } else {
      config = defaultConfig();
    }
  }
  const folder = customRulesFolder(config);
  const got = await read({ dirs: [folder] });
  const refused = got.skipped.get(folder);
  if (refused !== undefined) throw new SetupError(`The repository's rules in ${folder}${where} cannot be loaded`, [`${folder}: ${refused}`]);
  const setup = repoSetup(await createEngine(), { dirs: got.dirs, files: new Map() }, config);
  return { config, configPath, catalogue: setup.catalogue };
}
