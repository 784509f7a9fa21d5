/**
 * Running git for the git source (git.ts): the command line and environment of every git it starts,
 * the one-line errors, and reading blobs through `git cat-file`.
 *
 * Git runs without a shell, with arguments as an array, and never runs anything the repository
 * could configure: no system config, hooks pointed at /dev/null, no fsmonitor, no external diff,
 * no textconv, no transport at all (a partial clone's lazy fetch would otherwise run the
 * repository's `core.sshCommand`, `remote.*.uploadpack`, ...): objects the clone lacks fail the
 * review with a clear message instead. Blobs are read through one `git cat-file --batch` process.
 */
import { spawn } from 'node:child_process';

/** A git command failed; the message is one line that says why. */
export class GitError extends Error {
  override readonly name = 'GitError';
}

/**
 * Git's environment: ours, without GIT_* variables that could redirect it, and no system config.
 * The rest keeps every git we start, and every git those start (a lazy fetch is a child
 * `git fetch`, which inherits this environment and our `-c` settings), from reaching a remote:
 */
function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  env.GIT_CONFIG_NOSYSTEM = '1';
  env.GIT_TERMINAL_PROMPT = '0';
  env.GIT_OPTIONAL_LOCKS = '0';
  // A partial clone fetches the objects it lacks as soon as a command needs one. This turns that
  // off (git 2.44, and the 2.39.4+ maintenance releases); the objects are then reported missing.
  env.GIT_NO_LAZY_FETCH = '1';
  // For gits that ignore the above: the only transport allowed is one named "none/", which no URL
  // or `remote.*.vcs` can name a runnable helper for (`git-remote-none/` is a folder path). Unlike
  // `-c protocol.allow=never`, this also overrides the repository's own `protocol.<name>.allow`
  // (`protocol.ext.allow=always` would let an `ext::` URL run any command).
  env.GIT_ALLOW_PROTOCOL = 'none/';
  // These win over configuration even when empty, and empty runs nothing: the repository's
  // `core.sshCommand`, its `core.gitProxy` (the first value found wins there, so a `-c` after the
  // repository's cannot override it) and its `core.askPass`.
  env.GIT_SSH_COMMAND = '';
  env.GIT_PROXY_COMMAND = '';
  env.GIT_ASKPASS = '';
  env.LC_ALL = 'C';
  return env;
}

/**
 * Configuration over the repository's (`-c` comes last, and the last value wins), for each key
 * that could make one of the commands we run (rev-parse, symbolic-ref, merge-base, diff, ls-tree,
 * cat-file), or a lazy fetch they start, run a program.
 *
 * Not here, because they cannot run here: `core.pager`/`pager.*` (`--no-pager`), `diff.external`
 * and `diff.<driver>.command` (`--no-ext-diff`), `diff.<driver>.textconv` (`--no-textconv`),
 * `diff.submodule` (`--submodule=short`), `filter.<driver>.*` (only between the working tree and
 * the index, or `cat-file --filters`), `core.editor`/`sequence.editor` (nothing edits),
 * `gpg.program` and `gpg.*.program` (nothing verifies signatures), `merge.<driver>.driver`
 * (merge-base does not merge), `uploadpack.packObjectsHook` (read from protected configuration
 * only, and upload-pack never runs). `remote.*.uploadpack` and `remote.*.vcs` are not blocked by
 * key (the remote names are the repository's) but by the transport: no transport is allowed.
 */
const SAFE_CONFIG = [
  '-c', 'core.hooksPath=/dev/null',
  '-c', 'core.fsmonitor=false',
  '-c', 'core.quotePath=false',
  '-c', 'diff.noprefix=false',
  // Second to GIT_ALLOW_PROTOCOL, which wins over it, and over the repository's
  // `protocol.<name>.allow`, which this does not.
  '-c', 'protocol.allow=never',
  // The ssh a transport would start; GIT_SSH_COMMAND overrides it too.
  '-c', 'core.sshCommand=',
  // Programs asked for credentials when a remote wants them; the empty value empties the list of helpers.
  '-c', 'credential.helper=',
  '-c', 'core.askPass=',
  // Run by a fetch (lazy or not) to list the refs of an alternate object store.
  '-c', 'core.alternateRefsCommand=',
  // A fetch ends with automatic maintenance (`git maintenance run --auto`, gc and its hooks).
  '-c', 'gc.auto=0',
  '-c', 'maintenance.auto=false',
];

/** What a git command may be told besides its arguments. */
export interface GitOptions {
  /**
   * The index file to read instead of the repository's (`GIT_INDEX_FILE`, read by git as it is: a
   * relative path is from the top of the working tree): `git commit -a` and `git commit PATH`
   * commit a temporary index and name it so to their hooks. It only says which file holds the
   * index; nothing in it is run.
   */
  indexFile?: string;
}

/** The command line and environment of a git command (exported for tests). */
export function gitInvocation(args: string[], options: GitOptions = {}): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  const env = gitEnv();
  if (options.indexFile !== undefined) env.GIT_INDEX_FILE = options.indexFile;
  return { command: 'git', args: ['--no-pager', ...SAFE_CONFIG, ...args], env };
}

function spawnGit(repoDir: string, args: string[], options?: GitOptions) {
  const invocation = gitInvocation(args, options);
  return spawn(invocation.command, invocation.args, {
    cwd: repoDir,
    env: invocation.env,
    shell: false,
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
}

/** Objects the commands need are not in the repository, and were not fetched. */
export class MissingObjectsError extends GitError {
  constructor() {
    super('the clone is missing objects (a partial clone?): fetch them first (git fetch --refetch --no-filter, or clone without --filter); nothing was fetched');
  }
}

/**
 * What git says when an object is not there: a partial clone's lazy fetch that was not allowed
 * (turned off, or no transport), or an object missing from a complete clone (diff, ls-tree).
 */
const MISSING_OBJECT = /from promisor remote|lazy fetching disabled|unable to read (?:tree )?[0-9a-f]{40}|not a tree object/;

function failure(command: string, stderr: Buffer[], code: number | null): GitError {
  const text = Buffer.concat(stderr).toString('utf8');
  if (MISSING_OBJECT.test(text)) return new MissingObjectsError();
  return new GitError(`git ${command} failed: ${firstLine(text) || `exit code ${code}`}`);
}

/** Runs git and returns its stdout; rejects with a one-line GitError. */
export function git(repoDir: string, args: string[], input?: string, options?: GitOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let child: ReturnType<typeof spawnGit>;
    try {
      child = spawnGit(repoDir, args, options);
    } catch (e) {
      reject(new GitError(spawnProblem(e, repoDir)));
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new GitError(spawnProblem(e, repoDir))));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(failure(args[0] ?? '', err, code));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

function spawnProblem(e: unknown, repoDir: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `cannot run git in ${repoDir} (git is not installed, or the directory does not exist)`;
  return `cannot run git: ${e instanceof Error ? e.message : String(e)}`;
}

function firstLine(s: string): string {
  return (s.split('\n').find((l) => l.trim() !== '') ?? '').replace(/^(fatal|error): /, '').trim();
}

/** Sizes of blobs, through one `git cat-file --batch-check`. */
export async function blobSizes(repoDir: string, shas: string[]): Promise<Map<string, number>> {
  const out = await git(repoDir, ['cat-file', '--batch-check'], shas.join('\n') + '\n');
  const sizes = new Map<string, number>();
  for (const line of out.toString('utf8').split('\n')) {
    const [sha, type, size] = line.split(' ');
    if (type === 'missing') throw new MissingObjectsError();
    if (sha && type === 'blob' && size !== undefined) sizes.set(sha, Number(size));
  }
  return sizes;
}

/**
 * Contents of blobs, through one `git cat-file --batch` process, parsed as it streams. A blob the
 * repository does not have fails the read (MissingObjectsError): it would otherwise read as a file
 * that cannot be reviewed, when the clone is only incomplete.
 */
export function readBlobs(repoDir: string, shas: string[], onProgress?: (done: number, total: number) => void): Promise<Map<string, Buffer>> {
  const blobs = new Map<string, Buffer>();
  if (shas.length === 0) return Promise.resolve(blobs);
  return new Promise((resolve, reject) => {
    const child = spawnGit(repoDir, ['cat-file', '--batch']);
    const err: Buffer[] = [];
    let pending: Buffer[] = [];
    let pendingLength = 0;
    let header: { sha: string; size: number } | undefined;
    let done = 0;
    let missing = false;

    const take = (n: number): Buffer => {
      const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingLength);
      const head = all.subarray(0, n);
      const rest = all.subarray(n);
      pending = rest.length > 0 ? [rest] : [];
      pendingLength = rest.length;
      return head;
    };

    const drain = () => {
      for (;;) {
        if (!header) {
          // Look for the end of the header line.
          const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingLength);
          pending = all.length > 0 ? [all] : [];
          const nl = all.indexOf(0x0a);
          if (nl === -1) return;
          const line = take(nl + 1).toString('utf8').trimEnd();
          const [sha, type, size] = line.split(' ');
          if (type === 'missing') missing = true;
          if (type === 'missing' || size === undefined) {
            done++;
            continue;
          }
          header = { sha: sha!, size: Number(size) };
        }
        if (pendingLength < header.size + 1) return;
        const body = take(header.size + 1).subarray(0, header.size);
        blobs.set(header.sha, Buffer.from(body));
        header = undefined;
        done++;
        if (onProgress && (done % 50 === 0 || done === shas.length)) onProgress(done, shas.length);
      }
    };

    child.stdout.on('data', (b: Buffer) => {
      pending.push(b);
      pendingLength += b.length;
      drain();
    });
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new GitError(spawnProblem(e, repoDir))));
    child.on('close', (code) => {
      if (code !== 0) reject(failure('cat-file', err, code));
      else if (missing) reject(new MissingObjectsError());
      else resolve(blobs);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(shas.join('\n') + '\n');
  });
}
