export default async function globalTeardown(): Promise<void> {
  await globalThis.__pcwDevServer?.stop();
  globalThis.__pcwDevServer = undefined;
}
