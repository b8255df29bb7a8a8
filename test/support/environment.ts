import { Server } from 'node:net';
import NodeEnvironment from 'jest-environment-node';

/** Where each server started listening: a leak report names the code that opened it. */
const openedAt = new WeakMap<Server, string>();
const listen = Server.prototype.listen;
if (!(listen as { traced?: boolean }).traced) {
  const traced = function (this: Server, ...args: unknown[]) {
    openedAt.set(this, new Error().stack?.split('\n').slice(2, 8).join('\n') ?? '');
    return (listen as (...a: unknown[]) => Server).apply(this, args);
  };
  Server.prototype.listen = Object.assign(traced, { traced: true }) as typeof listen;
}
/** Servers already reported by an earlier file of this Jest worker: each leak is blamed on the file that left it. */
const reported = new WeakSet<Server>();

/**
 * Node's test environment, plus a check after each test file (after its afterAll hooks): a server still
 * listening is a leak that keeps Jest from exiting after a green run, so the file fails naming its address and
 * where it was opened.
 */
export default class LeakCheckingEnvironment extends NodeEnvironment {
  override async teardown(): Promise<void> {
    await super.teardown();
    const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
    const leaked = handles.filter(
      (handle): handle is Server => handle instanceof Server && handle.listening && !reported.has(handle),
    );
    if (leaked.length === 0) return;
    for (const server of leaked) reported.add(server);
    const described = leaked.map((server) => `${JSON.stringify(server.address())} opened\n${openedAt.get(server)}`);
    throw new Error(
      `The test file left ${leaked.length} server(s) listening; close them in afterAll:\n${described.join('\n')}`,
    );
  }
}
