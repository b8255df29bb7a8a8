import cors from '@fastify/cors';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Payload } from '@temporalio/common';
import { z } from 'zod';
import { tokenVerifier } from '../api/tokens';
import type { ApiToken } from '../settings/api-tokens';
import type { WorkerConfig } from '../config';
import { AesGcmPayloadCodec } from '../temporal/codec';
import { CliFailure, UsageError } from './errors';
import type { Output } from './output';

/**
 * `pcw codec-server`: the Temporal codec-server protocol (POST /encode and /decode, payloads as proto-JSON with base64
 * metadata and data) over PAYLOAD_ENCRYPTION_KEYS, so the Temporal UI and CLI show operators decrypted payloads while
 * Temporal itself stores only ciphertext. Every request needs one of PCW_API_TOKENS: as a bearer token (the
 * `temporal` CLI's `--codec-auth`), or as the first path segment (`http://host:port/<token>`), because the UI's codec
 * endpoint setting cannot add a header. CORS answers only the UI origins given.
 */

export const DEFAULT_CODEC_PORT = 8888;
export const DEFAULT_UI_ORIGIN = 'http://127.0.0.1:8233';

const JsonPayloadSchema = z.object({
  metadata: z.record(z.string(), z.string()).optional(),
  data: z.string().optional(),
});
const CodecBodySchema = z.object({ payloads: z.array(JsonPayloadSchema) });
type JsonPayload = z.infer<typeof JsonPayloadSchema>;

function fromJson(payload: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
    ),
    data: Buffer.from(payload.data ?? '', 'base64'),
  };
}

function toJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value ?? []).toString('base64')]),
    ),
    data: Buffer.from(payload.data ?? []).toString('base64'),
  };
}

export interface CodecServerOptions {
  keys: NonNullable<WorkerConfig['encryptionKeys']>;
  tokens: readonly ApiToken[];
  /** Origins the browser may call from (the Temporal UI's). */
  origins: readonly string[];
}

/** The codec server's Fastify app (not listening yet). */
export async function buildCodecServer(options: CodecServerOptions): Promise<FastifyInstance> {
  const codec = new AesGcmPayloadCodec(options.keys);
  const verify = tokenVerifier(options.tokens);
  // Never log requests: a path may hold a token.
  const app = Fastify({ logger: false });
  await app.register(cors, {
    origin: [...options.origins],
    methods: ['POST'],
    allowedHeaders: ['authorization', 'content-type', 'x-namespace'],
  });
  const handle = (operation: 'encode' | 'decode') => async (request: FastifyRequest, reply: FastifyReply) => {
    const { token } = (request.params ?? {}) as { token?: string };
    const bearer = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const presented = token ?? bearer;
    if (presented === undefined || verify(presented) === undefined) {
      return reply.code(401).send({ message: 'a token of PCW_API_TOKENS is required' });
    }
    const body = CodecBodySchema.safeParse(request.body);
    if (!body.success) {
      return reply.code(400).send({ message: 'the body must be { payloads: [{ metadata, data }] } (base64 values)' });
    }
    try {
      const payloads = await codec[operation](body.data.payloads.map(fromJson));
      return { payloads: payloads.map(toJson) };
    } catch (error) {
      return reply.code(400).send({ message: (error as Error).message });
    }
  };
  for (const operation of ['encode', 'decode'] as const) {
    app.post(`/${operation}`, handle(operation));
    app.post(`/:token/${operation}`, handle(operation));
  }
  return app;
}

/** Parses `pcw codec-server` flags and runs the server until SIGINT/SIGTERM. */
export async function codecServer(
  args: string[],
  values: { port?: string; host?: string; origin?: string },
  config: WorkerConfig,
  out: Output,
): Promise<number> {
  if (args.length > 0) throw new UsageError([`codec-server takes no arguments (got ${args.join(' ')})`]);
  const port = Number(values.port ?? DEFAULT_CODEC_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError([`--port: must be a TCP port from 0 to 65535 (got "${values.port}")`]);
  }
  const origins = (values.origin ?? DEFAULT_UI_ORIGIN).split(',').map((origin) => origin.trim());
  for (const origin of origins) {
    if (!/^https?:\/\/[^/]+$/.test(origin)) {
      throw new UsageError([
        `--origin: must be origins such as http://127.0.0.1:8233, comma-separated (got "${origin}")`,
      ]);
    }
  }
  if (config.encryptionKeys === undefined) {
    throw new CliFailure(
      'CodecNotConfigured',
      'PAYLOAD_ENCRYPTION_KEYS is not set: there is nothing to decode with',
      {},
    );
  }
  if (config.api.tokens === undefined || config.api.tokens.length === 0) {
    throw new CliFailure(
      'CodecNotConfigured',
      'PCW_API_TOKENS is not set: the codec server admits only its tokens',
      {},
    );
  }
  const app = await buildCodecServer({ keys: config.encryptionKeys, tokens: config.api.tokens, origins });
  const address = await app.listen({ port, host: values.host ?? '127.0.0.1' });
  out.emit({ url: address, origins }, `Codec server on ${address} (CORS for ${origins.join(', ')}); Ctrl-C stops it`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await app.close();
  return 0;
}
