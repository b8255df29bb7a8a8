import { ConfigError, loadConfig } from '../../src/config';
import { deploymentOptions } from '../../src/worker';

/** Contract §3h: PCW_DEPLOYMENT_NAME and PCW_BUILD_ID make the worker join a Worker Deployment Version. */

function load(env: NodeJS.ProcessEnv) {
  return loadConfig({ TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml', ...env }, { requirePartnerCenter: false });
}

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('PCW_DEPLOYMENT_NAME and PCW_BUILD_ID', () => {
  it('leave the worker unversioned when both are unset (or blank)', () => {
    expect(load({}).deploymentVersion).toBeUndefined();
    expect(load({ PCW_DEPLOYMENT_NAME: ' ', PCW_BUILD_ID: '' }).deploymentVersion).toBeUndefined();
    expect(deploymentOptions(undefined)).toEqual({});
  });

  it('make the worker join that version, its runs PINNED unless their workflow says otherwise', () => {
    const { deploymentVersion } = load({ PCW_DEPLOYMENT_NAME: ' partner-center ', PCW_BUILD_ID: '2026.12.07-1' });
    expect(deploymentVersion).toEqual({ deploymentName: 'partner-center', buildId: '2026.12.07-1' });
    expect(deploymentOptions(deploymentVersion)).toEqual({
      workerDeploymentOptions: {
        useWorkerVersioning: true,
        version: { deploymentName: 'partner-center', buildId: '2026.12.07-1' },
        defaultVersioningBehavior: 'PINNED',
      },
    });
  });

  it.each([
    [{ PCW_DEPLOYMENT_NAME: 'partner-center' }, 'PCW_DEPLOYMENT_NAME'],
    [{ PCW_BUILD_ID: '2026.12.07-1' }, 'PCW_BUILD_ID'],
  ])('refuse one without the other, naming both, with the other problems (%j)', (env, given) => {
    const problems = problemsOf({ ...env, LOG_LEVEL: 'loud' });
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).toContain(
      `PCW_DEPLOYMENT_NAME and PCW_BUILD_ID: set both (the worker joins that Worker Deployment Version) or neither (got only ${given})`,
    );
  });
});
