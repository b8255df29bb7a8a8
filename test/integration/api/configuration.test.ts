import { ConfigError, loadConfig } from '../../../src/config';
import { allows, localToken, tokenVerifier } from '../../../src/api/tokens';
import { builtEntry, runNode } from '../../support/processes';
import { testServerAddress } from '../../support/temporal';
import { call, tokens } from './support';

/**
 * PCW_API_PORT and PCW_API_TOKENS are read and checked with the rest of the configuration (every problem listed,
 * no token echoed); `npm run api` (lib/api/main.js) needs both, serves on the port, and stops on SIGTERM.
 */

const base = { TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' };

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig({ ...base, ...env }, { requirePartnerCenter: false });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('API configuration', () => {
  it('reads the port and the tokens with their roles', () => {
    const config = loadConfig(
      { ...base, PCW_API_PORT: '9000', PCW_API_TOKENS: tokens.map((t) => `${t.name}:${t.role}:${t.token}`).join(',') },
      { requirePartnerCenter: false },
    );
    expect(config.api).toEqual({ port: 9000, tokens });
  });

  it('lists every bad entry once, by position and name, never with its token', () => {
    const secret = 'short';
    const problems = problemsOf({
      PCW_API_PORT: '70000',
      PCW_API_TOKENS: `ci:admin:${'t'.repeat(20)},bad name:read:${'u'.repeat(20)},dash:read:${secret},ci:read:${'t'.repeat(20)}`,
      METRICS_PORT: 'x',
    });
    expect(problems).toEqual([
      'METRICS_PORT: must be a TCP port from 1 to 65535 (got "x")',
      'PCW_API_PORT: must be a TCP port from 1 to 65535 (got "70000")',
      'PCW_API_TOKENS: entry 1 (ci): the role must be one of read, submit, operate',
      'PCW_API_TOKENS: entry 2: the name must be 1..64 characters of A-Za-z0-9._- (the form is name:role:token)',
      'PCW_API_TOKENS: entry 3 (dash): the token must be 16..512 printable characters without spaces',
      'PCW_API_TOKENS: entry 4 (ci): the name is used twice',
      "PCW_API_TOKENS: entry 4 (ci): the token is the same as another entry's",
    ]);
    expect(problems.join('\n')).not.toContain('t'.repeat(20));
  });

  it('finds a token by constant-time comparison, and orders the roles read < submit < operate', () => {
    const verify = tokenVerifier(tokens);
    expect(verify(tokens[1].token)?.name).toBe('upstream');
    expect(verify(`${tokens[1].token}x`)).toBeUndefined();
    expect(verify('')).toBeUndefined();
    expect([
      allows('operate', 'submit'),
      allows('submit', 'read'),
      allows('read', 'submit'),
      allows('submit', 'operate'),
    ]).toEqual([true, true, false, false]);
    const local = localToken();
    expect(local).toMatchObject({ name: 'local', role: 'operate' });
    expect(local.token).not.toBe(localToken().token);
  });
});

describe('npm run api', () => {
  it('needs PCW_API_PORT and PCW_API_TOKENS, listed together (exit 2)', async () => {
    const run = runNode(builtEntry('api/main.js'), [], { ...base, TEMPORAL_ADDRESS: testServerAddress() });
    const { code } = await run.exited;
    expect(code).toBe(2);
    expect(run.output()).toContain('Invalid configuration (2 problems)');
    expect(run.output()).toMatch(/PCW_API_PORT: required[\s\S]*PCW_API_TOKENS: required/);
  });

  it('serves the API on PCW_API_PORT, ready when Temporal is, and stops on SIGTERM', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const run = runNode(builtEntry('api/main.js'), [], {
      ...base,
      TEMPORAL_ADDRESS: testServerAddress(),
      PCW_API_PORT: String(port),
      PCW_API_TOKENS: tokens.map((t) => `${t.name}:${t.role}:${t.token}`).join(','),
      LOG_LEVEL: 'info',
    });
    try {
      await run.waitFor(/HTTP API on http:\/\/127\.0\.0\.1:\d+/, 30_000);
      const api = { url: `http://127.0.0.1:${port}` };
      expect(await call(api, 'GET', '/readyz')).toMatchObject({ status: 200, body: { ok: true } });
      expect(await call(api, 'GET', '/v1/purchases/nothing-here', { token: tokens[2].token })).toMatchObject({
        status: 404,
      });
    } finally {
      run.child.kill('SIGTERM');
    }
    expect((await run.exited).code).toBe(0);
    for (const { token } of tokens) expect(run.output()).not.toContain(token);
  });
});
