import type { Server } from 'node:net';

/** Starting and stopping the sandbox's two servers (the https authority and the http API), which
 * listen on the loopback interface only. */

export async function listenOnLoopback(server: Server, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

/** Closes the server and the connections still open on it (keep-alive clients would hold it open). */
export async function closeServer(server: Server & { closeAllConnections(): void }): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
