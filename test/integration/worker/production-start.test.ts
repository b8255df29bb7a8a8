import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNode } from '../../support/processes';

const ROOT = join(__dirname, '..', '..', '..');

/** `npm run <script>` from the repository with `env` added, collecting everything it prints. */
function npmRun(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', script], { cwd: ROOT, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('a production start runs what was built', () => {
  it('`npm run worker` starts lib/worker.js without compiling anything first', async () => {
    const { code, output } = await npmRun('worker', {
      TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
      TEMPORAL_TASK_QUEUE: '',
    });
    expect(code).toBe(2);
    expect(output).toMatch(/Invalid configuration/);
    expect(output).toContain('node bin/check-build.js worker.js');
    expect(output).not.toMatch(/\btsc\b|workflow-bundle\.js\n/);
  }, 60_000);

  it('stops with what to run when nothing is built', async () => {
    const checkout = mkdtempSync(join(tmpdir(), 'pcw-unbuilt-'));
    try {
      mkdirSync(join(checkout, 'bin'));
      copyFileSync(join(ROOT, 'bin', 'check-build.js'), join(checkout, 'bin', 'check-build.js'));
      const check = runNode(join(checkout, 'bin', 'check-build.js'), ['api/main.js'], {}, checkout);
      expect((await check.exited).code).toBe(1);
      expect(check.output()).toContain(
        'partner-center-worker is not built (missing lib/api/main.js, lib/workflow-bundle.js): run `npm run build`',
      );
    } finally {
      rmSync(checkout, { recursive: true, force: true });
    }
  });

  it('passes a built checkout', async () => {
    const check = runNode(join(ROOT, 'bin', 'check-build.js'), ['worker.js'], {});
    expect((await check.exited).code).toBe(0);
    expect(check.output()).toBe('');
  });
});
