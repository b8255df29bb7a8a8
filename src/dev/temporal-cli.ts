import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The newest Temporal CLI tag that `go install` accepts (later tags carry a `replace` directive). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';

export type TemporalCliSource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'cache' | 'go install' | 'sdk download';

export interface TemporalCli {
  path: string;
  source: TemporalCliSource;
}

export interface ResolveTemporalCliOptions {
  env?: NodeJS.ProcessEnv;
  /** Where progress lines go (building takes minutes the first time). */
  progress?: (line: string) => void;
  /** Build with Go, else download with the SDK, when nothing else is found (default true). */
  allowBuild?: boolean;
  /** The last resort, answering the binary's path (default: the Temporal SDK's download, which needs the internet). */
  download?: (env: NodeJS.ProcessEnv, progress: (line: string) => void) => Promise<string>;
}

export class TemporalCliNotFoundError extends Error {
  constructor(detail: string) {
    super(
      `No Temporal CLI found. ${detail}\n` +
        'Install one of: set TEMPORAL_CLI_PATH to a temporal binary; put `temporal` on PATH; or install Go >= 1.25 ' +
        `and run \`CGO_ENABLED=0 go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}\` ` +
        '(this project builds it into its cache by itself when Go is present).',
    );
    this.name = 'TemporalCliNotFoundError';
  }
}

/** Cache outside the repository, so a reused machine never rebuilds and a clean clone finds it. */
export function temporalCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.length > 0 ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'partner-center-worker');
}

export function cachedTemporalCliPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(temporalCacheDir(env), `temporal-${TEMPORAL_CLI_VERSION}`);
}

/** Where the SDK's own download lands (its version is the SDK's choice, so it is kept apart from our build). */
function sdkDownloadDir(env: NodeJS.ProcessEnv): string {
  return join(temporalCacheDir(env), 'sdk-download');
}

function findSdkDownload(env: NodeJS.ProcessEnv): string | undefined {
  const dir = sdkDownloadDir(env);
  if (!existsSync(dir)) return undefined;
  return readdirSync(dir)
    .filter((name) => name.startsWith('temporal-sdk-typescript-'))
    .map((name) => join(dir, name))
    .find(isExecutable);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir.length === 0) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Go may be installed without being on PATH (the usual /usr/local/go layout). */
function findGo(env: NodeJS.ProcessEnv): string | undefined {
  return findOnPath('go', env) ?? ['/usr/local/go/bin/go', '/usr/lib/go/bin/go'].find(isExecutable);
}

/**
 * Returns a `temporal` binary in the contract's order: TEMPORAL_CLI_PATH, `temporal` on PATH, the cached
 * build (or an earlier SDK download), else a fresh `go install` into the cache, else the SDK's own download.
 * Throws TemporalCliNotFoundError, with every reason, when none can be had.
 */
export async function resolveTemporalCli(options: ResolveTemporalCliOptions = {}): Promise<TemporalCli> {
  const env = options.env ?? process.env;
  const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));

  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit !== undefined && explicit.length > 0) {
    if (!isExecutable(explicit)) {
      throw new TemporalCliNotFoundError(`TEMPORAL_CLI_PATH=${explicit} is not an executable file.`);
    }
    return { path: explicit, source: 'TEMPORAL_CLI_PATH' };
  }
  const onPath = findOnPath('temporal', env);
  if (onPath) return { path: onPath, source: 'PATH' };

  const cached = cachedTemporalCliPath(env);
  if (isExecutable(cached)) return { path: cached, source: 'cache' };
  const downloaded = findSdkDownload(env);
  if (downloaded) return { path: downloaded, source: 'cache' };

  if (options.allowBuild === false) throw new TemporalCliNotFoundError('Building was not allowed.');
  const go = findGo(env);
  let buildProblem = 'Go is not installed, so it cannot be built here.';
  if (go) {
    try {
      const cli = { name: 'the Temporal CLI', module: TEMPORAL_CLI_MODULE, version: TEMPORAL_CLI_VERSION };
      await buildWithGo(go, { ...cli, target: cached }, env, progress);
      return { path: cached, source: 'go install' };
    } catch (error) {
      buildProblem = (error as Error).message;
    }
  }
  try {
    return { path: await (options.download ?? downloadWithSdk)(env, progress), source: 'sdk download' };
  } catch (error) {
    throw new TemporalCliNotFoundError(`${buildProblem} The SDK's download failed too: ${(error as Error).message}`);
  }
}

/** The SDK downloads the CLI when it starts a local dev server; start one once, only to get the binary. */
async function downloadWithSdk(env: NodeJS.ProcessEnv, progress: (line: string) => void): Promise<string> {
  const dir = sdkDownloadDir(env);
  mkdirSync(dir, { recursive: true });
  progress(`Downloading the Temporal CLI with the Temporal SDK into ${dir} ...`);
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const server = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'cached-download', downloadDir: dir } },
  });
  await server.teardown();
  const path = findSdkDownload(env);
  if (!path) throw new Error(`the SDK started a server but left no binary in ${dir}`);
  return path;
}

/** A Go program built once per machine into the cache (the Temporal CLI; the chaos run's server and SQL tool). */
export interface GoProgram {
  /** What the progress lines call it. */
  name: string;
  /** `go install` package path; the binary it builds is named after its last segment. */
  module: string;
  version: string;
  /** Where the binary ends up. */
  target: string;
}

/** `go install`s `program` into `program.target` unless it is there; a second process waits for the first's build. */
export async function goInstallCached(
  program: GoProgram,
  options: { env?: NodeJS.ProcessEnv; progress: (line: string) => void },
): Promise<string> {
  const env = options.env ?? process.env;
  if (isExecutable(program.target)) return program.target;
  const go = findGo(env);
  if (!go) throw new Error(`Go is not installed, so ${program.name} cannot be built here.`);
  await buildWithGo(go, program, env, options.progress);
  return program.target;
}

async function buildWithGo(go: string, program: GoProgram, env: NodeJS.ProcessEnv, progress: (line: string) => void) {
  const { name, module, version, target } = program;
  const cacheDir = temporalCacheDir(env);
  mkdirSync(cacheDir, { recursive: true });
  const lockDir = `${target}.lock`;
  // Two test runs (or a test run and `npm start`) may race for the first build: one builds, the other waits.
  if (!tryLock(lockDir)) {
    progress(`Another process is building ${name}; waiting for ${target} ...`);
    while (existsSync(lockDir) && !isExecutable(target)) await sleep(2000);
    if (isExecutable(target)) return;
    if (!tryLock(lockDir)) throw new Error(`Could not take the build lock ${lockDir}.`);
  }
  const gobin = join(cacheDir, `build-${process.pid}`);
  try {
    const goVersion = spawnSync(go, ['version'], { encoding: 'utf8' }).stdout.trim();
    progress(
      `Building ${name} ${version} with ${goVersion} into ${target} ` +
        '(once per machine; a few minutes the first time) ...',
    );
    const started = Date.now();
    const ticker = setInterval(
      () => progress(`  ... still building ${name} (${Math.round((Date.now() - started) / 1000)} s)`),
      30_000,
    );
    try {
      await run(go, ['install', '-ldflags=-s -w', `${module}@${version}`], {
        ...env,
        CGO_ENABLED: '0',
        GOBIN: gobin,
      });
    } finally {
      clearInterval(ticker);
    }
    renameSync(join(gobin, module.slice(module.lastIndexOf('/') + 1)), target);
    progress(`Built ${name} in ${Math.round((Date.now() - started) / 1000)} s: ${target}`);
  } finally {
    rmSync(gobin, { recursive: true, force: true });
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function tryLock(lockDir: string): boolean {
  try {
    mkdirSync(lockDir);
    return true;
  } catch {
    // A lock left by a process that died more than 30 minutes ago is stale.
    try {
      if (Date.now() - statSync(lockDir).mtimeMs > 30 * 60_000) {
        rmSync(lockDir, { recursive: true, force: true });
        mkdirSync(lockDir);
        return true;
      }
    } catch {
      /* fall through: someone else holds it */
    }
    return false;
  }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`\`go ${args.join(' ')}\` failed (${signal ?? `exit ${code}`}).`)),
    );
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
