import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { DeploymentVersion } from '../config';
import { firstLine, ok, warning, type Outcome, type RecordCheck } from './doctor-checks';

/**
 * `pcw doctor` with PCW_DEPLOYMENT_NAME and PCW_BUILD_ID (contract §3h): what the server routes to this version.
 * Only `current` (or ramping) receives new runs; anything else is a warning with the command that changes it
 * (docs/operations.md, "Rolling out a new version").
 */

export const DEPLOYMENT_VERSION = 'worker deployment version';
const { WorkerDeploymentVersionStatus: Status } = temporal.api.enums.v1;

export async function checkDeploymentVersion(
  connection: Connection,
  namespace: string,
  version: DeploymentVersion,
  record: RecordCheck,
): Promise<void> {
  const name = `${version.deploymentName}:${version.buildId}`;
  const setCurrent = `temporal worker deployment set-current-version --deployment-name ${version.deploymentName} --build-id ${version.buildId}`;
  let info: temporal.api.deployment.v1.IWorkerDeploymentVersionInfo | null | undefined;
  try {
    ({ workerDeploymentVersionInfo: info } = await connection.workflowService.describeWorkerDeploymentVersion({
      namespace,
      deploymentVersion: version,
    }));
  } catch (error) {
    record(
      DEPLOYMENT_VERSION,
      warning(
        `${name} is not known to the server yet (${firstLine((error as Error).message)})`,
        `start the worker with these settings (it registers the version when it polls), then ${setCurrent}`,
      ),
    );
    return;
  }
  record(DEPLOYMENT_VERSION, outcomeOf(name, info, setCurrent));
}

function outcomeOf(
  name: string,
  info: temporal.api.deployment.v1.IWorkerDeploymentVersionInfo | null | undefined,
  setCurrent: string,
): Outcome {
  switch (info?.status) {
    case Status.WORKER_DEPLOYMENT_VERSION_STATUS_CURRENT:
      return ok(`${name} is current: new runs start on it`);
    case Status.WORKER_DEPLOYMENT_VERSION_STATUS_RAMPING:
      return ok(`${name} is ramping: ${info.rampPercentage ?? 0} % of new runs start on it`);
    case Status.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINING:
      return warning(
        `${name} is draining: only the runs pinned to it still run here`,
        'keep its workers until it is drained, or make it current again: ' + setCurrent,
      );
    case Status.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINED:
      return warning(`${name} is drained: nothing runs on it any more`, `stop its workers, or ${setCurrent}`);
    default:
      return warning(`${name} is neither current nor ramping: no new run starts on it`, setCurrent);
  }
}
