import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One verified delivery, as a Standard Webhooks receiver sees it. */
export interface ReceivedEvent {
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

export interface Receiver {
  url: string;
  /** Every delivery whose signature verified, in arrival order (duplicates included). */
  deliveries: ReceivedEvent[];
  /** Requests refused because their signature did not verify. */
  badSignatures: number;
  /** The events after deduplication by webhook-id, as a receiver keeps them. */
  unique(): ReceivedEvent[];
  /** Resolves with the first verified delivery `predicate` accepts (already received or still to come). */
  waitFor(predicate: (event: ReceivedEvent) => boolean, timeoutMs?: number): Promise<ReceivedEvent>;
  close(): Promise<void>;
}

/**
 * A webhook receiver on loopback that verifies every request with the `standardwebhooks` package. `answer` decides
 * the reply to each verified delivery: a status, or `hold` to keep the request open (a receiver that hangs, or a
 * worker killed mid-delivery). `port` brings a receiver back on the address of one that was closed (0: any port).
 */
export async function startReceiver(
  secret: string,
  answer: (event: ReceivedEvent, deliveryIndex: number) => number | 'hold' = () => 200,
  port = 0,
): Promise<Receiver> {
  const verifier = new Webhook(secret);
  const deliveries: ReceivedEvent[] = [];
  const held: ServerResponse[] = [];
  const waiters = new Set<() => void>();
  let badSignatures = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      let payload: { type: string; timestamp: string; data: Record<string, unknown> };
      try {
        payload = verifier.verify(body, request.headers as Record<string, string>) as typeof payload;
      } catch {
        badSignatures += 1;
        response.writeHead(401).end();
        return;
      }
      const event = { id: String(request.headers['webhook-id']), ...payload };
      deliveries.push(event);
      for (const waiter of waiters) waiter();
      const reply = answer(event, deliveries.length - 1);
      if (reply === 'hold') held.push(response);
      else response.writeHead(reply).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    deliveries,
    get badSignatures() {
      return badSignatures;
    },
    unique: () => [...new Map(deliveries.map((event) => [event.id, event])).values()],
    waitFor(predicate, timeoutMs = 90_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = deliveries.find(predicate);
          if (found === undefined) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `no such webhook delivery within ${timeoutMs} ms; got ${JSON.stringify(deliveries.map((d) => d.id))}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      for (const response of held) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
