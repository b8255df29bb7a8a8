import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtEntry } from './processes';

const ROOT = join(__dirname, '..', '..');

/**
 * A project that has installed partner-center-worker, laid out as npm lays it out: the package under
 * node_modules (a link to this checkout, as `npm install <dir>` makes) and its bin linked as node_modules/.bin/pcw.
 */
export interface InstalledTree {
  dir: string;
  /** node_modules/.bin/pcw: what `npx pcw` runs in that project. */
  bin: string;
  remove(): void;
}

export function installedTree(): InstalledTree {
  builtEntry('cli/pcw.js'); // fails early with "run npm run build" when lib/ is missing
  const dir = mkdtempSync(join(tmpdir(), 'pcw-installed-'));
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules', 'partner-center-worker'), 'dir');
  symlinkSync(join('..', 'partner-center-worker', 'bin', 'pcw.js'), join(dir, 'node_modules', '.bin', 'pcw'));
  return {
    dir,
    bin: join(dir, 'node_modules', '.bin', 'pcw'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface PcwRun {
  stdout(): string;
  stderr(): string;
  /** Resolves once `pattern` appears on stdout; rejects if the process ends first or time runs out. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Starts `command args` (the installed bin, or npx) in `cwd` with exactly `env` plus PATH and HOME. */
export function spawnPcw(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): PcwRun {
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    listeners.forEach((listener) => listener());
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let ended = false;
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => {
      ended = true;
      listeners.forEach((listener) => listener());
      resolve({ code, stdout, stderr });
    }),
  );
  const waitFor = (pattern: RegExp, timeoutMs = 30_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => done(new Error(`timed out waiting for ${pattern}; stdout:\n${stdout}\nstderr:\n${stderr}`)),
        timeoutMs,
      );
      const done = (error?: Error) => {
        clearTimeout(timer);
        listeners.delete(check);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (pattern.test(stdout)) done();
        else if (ended) done(new Error(`pcw ended before ${pattern} appeared; stdout:\n${stdout}\nstderr:\n${stderr}`));
      };
      listeners.add(check);
      check();
    });
  return { stdout: () => stdout, stderr: () => stderr, waitFor, exited };
}
