import type { Client } from '@temporalio/client';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The Fastify instance routes are added to: zod schemas for validation, types and the OpenAPI document. */
export type ApiApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** What every route module gets. */
export interface RouteDeps {
  client: Client;
  taskQueue: string;
}

/**
 * A module of routes (`purchaseRoutes`, `changeRoutes` …). A context adds its routes by writing one and listing it
 * in `ROUTES` (src/api/server.ts): auth (`config.role`), problems, validation and the OpenAPI document come with it.
 */
export type RouteModule = (app: ApiApp, deps: RouteDeps) => void;

/**
 * Create routes validate their body themselves (the requestId may come from a header), with the workflow's own
 * validator: the validator compiler passes their bodies through as given.
 */
export const SELF_VALIDATED_BODY = { selfValidatedBody: true } as const;

declare module 'fastify' {
  interface FastifyContextConfig {
    selfValidatedBody?: boolean;
  }
}
