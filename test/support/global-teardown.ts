import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  await globalThis.__pcwDevServer?.stop();
  globalThis.__pcwDevServer = undefined;
  if (globalThis.__pcwBundleDir !== undefined) rmSync(globalThis.__pcwBundleDir, { recursive: true, force: true });
  globalThis.__pcwBundleDir = undefined;
}
