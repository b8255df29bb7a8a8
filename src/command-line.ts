import { ConfigError, loadConfig, type LoadConfigOptions, type WorkerConfig } from './config';

/** What every command-line entry point (worker, npm start, pcw) shares: reading the configuration, exit codes, running main. */

/** The configuration for a command-line entry point, or undefined after printing every problem to stderr. */
export function loadConfigOrReport(env: NodeJS.ProcessEnv, options: LoadConfigOptions): WorkerConfig | undefined {
  try {
    return loadConfig(env, options);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return undefined;
  }
}

/** Exit status for a configuration that could not be used (distinct from 1, a failure at run time). */
export const EXIT_BAD_CONFIGURATION = 2;

/** Runs an entry point's `main` and exits with its status; an unexpected error prints its stack and exits 1. */
export function runAsMain(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
