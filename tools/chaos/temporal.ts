import { join } from 'node:path';
import { freePort, startDevServer, type DevServer } from '../../src/dev/temporal-dev-server';

/** A Temporal dev server of the chaos run's own, on a fixed port and SQLite file, so it can be restarted in place. */
export interface RestartableTemporal {
  address: string;
  /** Stops the server and starts it again on the same port and file; resolves with how long it was down. */
  restart(): Promise<number>;
  stop(): Promise<void>;
}

export async function startRestartableTemporal(
  dir: string,
  progress: (line: string) => void,
): Promise<RestartableTemporal> {
  const port = await freePort();
  const options = {
    port,
    dbFile: join(dir, 'temporal.sqlite'),
    progress,
    // Killed with this process whatever happens, never left behind.
    ownProcessGroup: true,
  };
  let server: DevServer | undefined = await startDevServer(options);
  return {
    address: server.address,
    restart: async () => {
      const down = performance.now();
      await server?.stop();
      server = undefined;
      server = await startDevServer(options);
      return performance.now() - down;
    },
    stop: async () => {
      await server?.stop();
      server = undefined;
    },
  };
}
