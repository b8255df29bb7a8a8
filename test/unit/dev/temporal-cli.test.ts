import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedTemporalCliPath, resolveTemporalCli, TemporalCliNotFoundError } from '../../../src/dev/temporal-cli';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'pcw-temporal-cli-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function executable(path: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return path;
}

const noProgress = () => {};

describe('resolveTemporalCli (contract §1 order)', () => {
  it('takes TEMPORAL_CLI_PATH first, even when others exist', async () => {
    const explicit = executable(join(root, 'explicit', 'temporal'));
    executable(join(root, 'bin', 'temporal'));
    const env = { TEMPORAL_CLI_PATH: explicit, PATH: join(root, 'bin'), XDG_CACHE_HOME: join(root, 'cache') };
    await expect(resolveTemporalCli({ env, progress: noProgress, allowBuild: false })).resolves.toEqual({
      path: explicit,
      source: 'TEMPORAL_CLI_PATH',
    });
  });

  it('refuses a TEMPORAL_CLI_PATH that is not an executable file, saying which', async () => {
    const env = { TEMPORAL_CLI_PATH: join(root, 'missing'), PATH: '' };
    await expect(resolveTemporalCli({ env, progress: noProgress, allowBuild: false })).rejects.toThrow(
      /TEMPORAL_CLI_PATH=.*missing is not an executable file/,
    );
  });

  it('then `temporal` on PATH', async () => {
    const onPath = executable(join(root, 'bin', 'temporal'));
    executable(cachedTemporalCliPath({ XDG_CACHE_HOME: join(root, 'cache') }));
    const env = { PATH: `${join(root, 'empty')}:${join(root, 'bin')}`, XDG_CACHE_HOME: join(root, 'cache') };
    await expect(resolveTemporalCli({ env, progress: noProgress, allowBuild: false })).resolves.toEqual({
      path: onPath,
      source: 'PATH',
    });
  });

  it('then the cached build outside the repository, so a second run never rebuilds', async () => {
    const env = { PATH: '', XDG_CACHE_HOME: join(root, 'cache') };
    const cached = executable(cachedTemporalCliPath(env));
    expect(cached).toBe(join(root, 'cache', 'partner-center-worker', 'temporal-v1.5.1'));
    const progress = jest.fn();
    await expect(resolveTemporalCli({ env, progress })).resolves.toEqual({ path: cached, source: 'cache' });
    expect(progress).not.toHaveBeenCalled(); // nothing was built
  });

  it('says how to install one when none is found and building is not possible', async () => {
    const env = { PATH: '', XDG_CACHE_HOME: join(root, 'cache') };
    const error = await resolveTemporalCli({ env, progress: noProgress, allowBuild: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemporalCliNotFoundError);
    expect((error as Error).message).toMatch(/set TEMPORAL_CLI_PATH/);
    expect((error as Error).message).toMatch(/go install github\.com\/temporalio\/cli\/cmd\/temporal@v1\.5\.1/);
  });
});

describe('when nothing is installed', () => {
  /** A `go` that fails at once stands for a broken toolchain: the SDK's download is then the last resort. */
  function brokenGo() {
    executable(join(root, 'bin', 'go'));
    writeFileSync(join(root, 'bin', 'go'), '#!/bin/sh\necho "go: no module proxy" >&2\nexit 1\n');
    return { PATH: join(root, 'bin'), XDG_CACHE_HOME: join(root, 'cache'), HOME: root };
  }

  it('tries go install, then the SDK download, and reports both when both fail', async () => {
    const progress = jest.fn();
    const download = jest.fn(() => Promise.reject(new Error('getaddrinfo ENOTFOUND temporal.download')));
    const error = await resolveTemporalCli({ env: brokenGo(), progress, download }).catch((e: unknown) => e);
    expect(progress.mock.calls.map(([line]) => String(line)).join('\n')).toMatch(/Building the Temporal CLI v1\.5\.1/);
    expect(download).toHaveBeenCalledTimes(1);
    expect(error).toBeInstanceOf(TemporalCliNotFoundError);
    expect((error as Error).message).toMatch(/go install .* failed/);
    expect((error as Error).message).toMatch(/The SDK's download failed too: getaddrinfo ENOTFOUND temporal\.download/);
  });

  it('answers the SDK download when go install fails and the download works', async () => {
    const downloaded = executable(join(root, 'sdk', 'temporal'));
    const cli = await resolveTemporalCli({
      env: brokenGo(),
      progress: noProgress,
      download: () => Promise.resolve(downloaded),
    });
    expect(cli).toEqual({ path: downloaded, source: 'sdk download' });
  });
});
