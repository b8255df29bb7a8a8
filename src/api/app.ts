import type { Client } from '@temporalio/client';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PartnerCenterClient, TokenProvider } from '../partner-center';
import type { SignatureVerifier } from './partner-center-events/signature';

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
  /** Partner Center, for the routes that read it directly (invoices); undefined when the API has no settings for it. */
  partnerCenter?: PartnerCenterAccess;
  /** PCW_WEBHOOK_ALLOWED_ORIGINS: the origins a request's callbackUrl may use (none: no callbackUrl is accepted). */
  callbackOrigins: readonly string[];
  /** How `POST /v1/partner-center/events` checks a delivery's signature (PARTNER_CENTER_WEBHOOK_CERT_HOSTS). */
  partnerCenterEvents: SignatureVerifier;
}

/** A Partner Center client and how its tokens are got (some reads are served to App+User tokens only). */
export interface PartnerCenterAccess {
  client: PartnerCenterClient;
  tokenMode: TokenProvider['mode'];
}

/**
 * A module of routes (`purchaseRoutes`, `subscriptionRoutes` …). A context adds its routes by writing one and listing it
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
