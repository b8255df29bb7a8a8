import { rmSync } from 'node:fs';
import { devServerStateFile } from './paths';

export default async function globalTeardown(): Promise<void> {
  const server = globalThis.__pcwDevServer;
  if (!server) return;
  await server.stop();
  globalThis.__pcwDevServer = undefined;
  rmSync(devServerStateFile, { force: true });
}
