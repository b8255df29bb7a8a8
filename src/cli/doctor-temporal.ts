import { Connection } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { WorkerConfig } from '../config';
import { searchAttributeKeys } from '../workflows/common/search-attributes';
import { failed, firstLine, ok, skipped, type RecordCheck } from './doctor-checks';
import { checkDeploymentVersion, DEPLOYMENT_VERSION } from './doctor-deployment';

/** `pcw doctor`'s Temporal checks: the frontend answers, the namespace exists, the search attributes are there. */

const REACHABLE = 'Temporal reachable';
const NAMESPACE = 'Temporal namespace';
const SEARCH_ATTRIBUTES = 'search attributes';

export async function checkTemporal(config: WorkerConfig | undefined, connectTimeoutMs: number, record: RecordCheck) {
  if (config === undefined) {
    [REACHABLE, NAMESPACE, SEARCH_ATTRIBUTES].forEach((name) =>
      record(name, skipped('the configuration is not valid')),
    );
    return;
  }
  const connection = await connectOrReport(config, connectTimeoutMs, record);
  // The version's line only when the worker is versioned (PCW_DEPLOYMENT_NAME, PCW_BUILD_ID).
  const versioned = config.deploymentVersion ? [DEPLOYMENT_VERSION] : [];
  if (connection === undefined) {
    [NAMESPACE, SEARCH_ATTRIBUTES, ...versioned].forEach((name) => record(name, skipped('Temporal is not reachable')));
    return;
  }
  try {
    const { namespace } = config.temporal;
    if (await checkNamespace(connection, namespace, record)) {
      await checkSearchAttributes(connection, namespace, record);
      if (config.deploymentVersion)
        await checkDeploymentVersion(connection, namespace, config.deploymentVersion, record);
    } else {
      [SEARCH_ATTRIBUTES, ...versioned].forEach((name) => record(name, skipped('the namespace does not exist')));
    }
  } finally {
    await connection.close();
  }
}

async function connectOrReport(
  config: WorkerConfig,
  connectTimeoutMs: number,
  record: RecordCheck,
): Promise<Connection | undefined> {
  const address = config.temporal.connectionOptions?.address ?? 'localhost:7233 (the default)';
  try {
    const connection = await Connection.connect({
      ...config.temporal.connectionOptions,
      connectTimeout: connectTimeoutMs,
    });
    record(REACHABLE, ok(`connected to ${address}`));
    return connection;
  } catch (error) {
    record(
      REACHABLE,
      failed(
        `not reachable at ${address} (${firstLine((error as Error).message)})`,
        'start Temporal (`npm start` runs a dev server) or set TEMPORAL_ADDRESS to the frontend host:port',
      ),
    );
    return undefined;
  }
}

/** True when the namespace exists. */
async function checkNamespace(connection: Connection, namespace: string, record: RecordCheck): Promise<boolean> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    record(NAMESPACE, ok(`namespace "${namespace}" exists`));
    return true;
  } catch (error) {
    record(
      NAMESPACE,
      failed(
        `namespace "${namespace}": ${firstLine((error as Error).message)}`,
        `create it (\`temporal operator namespace create --namespace ${namespace}\`) or set TEMPORAL_NAMESPACE to an existing one`,
      ),
    );
    return false;
  }
}

async function checkSearchAttributes(connection: Connection, namespace: string, record: RecordCheck): Promise<void> {
  // The temporal CLI's spelling of a type (KeywordList), as `npm start` registers them.
  const cliType = (key: (typeof searchAttributeKeys)[number]) => TypedSearchAttributes.toMetadataType(key.type);
  let customAttributes: Record<string, temporal.api.enums.v1.IndexedValueType>;
  try {
    ({ customAttributes } = await connection.operatorService.listSearchAttributes({ namespace }));
  } catch (error) {
    record(
      SEARCH_ATTRIBUTES,
      failed(
        `cannot list them: ${firstLine((error as Error).message)}`,
        'give this client the right to call OperatorService.ListSearchAttributes, or check them in the Temporal UI',
      ),
    );
    return;
  }
  const wrong = searchAttributeKeys.filter(
    (key) => customAttributes[key.name] !== temporal.api.enums.v1.IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`],
  );
  if (wrong.length === 0) {
    record(SEARCH_ATTRIBUTES, ok(searchAttributeKeys.map((key) => `${key.name} (${cliType(key)})`).join(', ')));
    return;
  }
  record(
    SEARCH_ATTRIBUTES,
    failed(
      `missing or of the wrong type: ${wrong.map((key) => `${key.name} (${cliType(key)})`).join(', ')}`,
      wrong
        .map(
          (key) =>
            `temporal operator search-attribute create --namespace ${namespace} --name ${key.name} --type ${cliType(key)}`,
        )
        .join(' && '),
    ),
  );
}
