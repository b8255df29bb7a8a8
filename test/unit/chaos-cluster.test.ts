import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  clusterConfig,
  clusterDynamicConfig,
  findPostgresBin,
  PostgresNotFoundError,
  type ClusterPorts,
} from '../../tools/chaos/cluster';

const ports: ClusterPorts = {
  postgres: 40001,
  services: {
    frontend: { grpc: 40002, membership: 20002, http: 40012 },
    history: { grpc: 40003, membership: 20003 },
    matching: { grpc: 40004, membership: 20004 },
    worker: { grpc: 40005, membership: 20005 },
  },
};

describe('the chaos cluster configuration', () => {
  const config = clusterConfig(ports, '/run/dynamicconfig.yaml');

  it('keeps persistence and visibility on the private PostgreSQL, with the postgres12 plugin', () => {
    expect(config.persistence).toMatchObject({
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: 4,
      datastores: {
        'postgres-default': {
          sql: { pluginName: 'postgres12', databaseName: 'temporal', connectAddr: '127.0.0.1:40001' },
        },
        'postgres-visibility': {
          sql: { pluginName: 'postgres12', databaseName: 'temporal_visibility', connectAddr: '127.0.0.1:40001' },
        },
      },
    });
  });

  it('puts each service on its own ports, on loopback, and names the frontend as the cluster address', () => {
    expect(config.services).toEqual({
      frontend: { rpc: { grpcPort: 40002, membershipPort: 20002, bindOnLocalHost: true, httpPort: 40012 } },
      history: { rpc: { grpcPort: 40003, membershipPort: 20003, bindOnLocalHost: true } },
      matching: { rpc: { grpcPort: 40004, membershipPort: 20004, bindOnLocalHost: true } },
      worker: { rpc: { grpcPort: 40005, membershipPort: 20005, bindOnLocalHost: true } },
    });
    expect(config.clusterMetadata).toMatchObject({
      currentClusterName: 'active',
      clusterInformation: { active: { rpcAddress: '127.0.0.1:40002' } },
    });
    expect(config.dynamicConfigClient).toEqual({ filepath: '/run/dynamicconfig.yaml', pollInterval: '10s' });
  });

  it('is written as JSON, which the server reads as YAML: nothing in it is lost on the way', () => {
    expect(JSON.parse(JSON.stringify(config))).toEqual(config);
  });

  it("takes the dev server's dynamic config, in the file's format (no call home for a version check)", () => {
    expect(clusterDynamicConfig()['frontend.enableServerVersionCheck']).toEqual([{ value: false, constraints: {} }]);
  });
});

describe('findPostgresBin', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'pcw-postgres-bin-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const initdb = (dir: string) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'initdb'), '#!/bin/sh\n');
    chmodSync(join(dir, 'initdb'), 0o755);
  };

  it('follows initdb on PATH to its real folder (a symlink may name only some of the programs)', () => {
    initdb(join(root, 'lib', '15', 'bin'));
    mkdirSync(join(root, 'bin'));
    symlinkSync(join(root, 'lib', '15', 'bin', 'initdb'), join(root, 'bin', 'initdb'));
    expect(findPostgresBin({ PATH: join(root, 'bin') }, join(root, 'none'))).toBe(join(root, 'lib', '15', 'bin'));
  });

  it("takes Debian's newest version when initdb is not on PATH", () => {
    initdb(join(root, 'lib', '9', 'bin'));
    initdb(join(root, 'lib', '15', 'bin'));
    expect(findPostgresBin({ PATH: '' }, join(root, 'lib'))).toBe(join(root, 'lib', '15', 'bin'));
  });

  it('says how to install PostgreSQL when there is none', () => {
    expect(() => findPostgresBin({ PATH: '' }, join(root, 'none'))).toThrow(PostgresNotFoundError);
    expect(() => findPostgresBin({ PATH: '' }, join(root, 'none'))).toThrow(/apt-get install postgresql/);
  });
});
