import { customerRoutes } from './routes/customers';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import type { Client } from '@temporalio/client';
import Fastify from 'fastify';
import { jsonSchemaTransform, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ApiApp, PartnerCenterAccess, RouteModule } from './app';
import { authenticate } from './auth';
import { ProblemError, problemOf, sendProblem } from './problems';
import { subscriptionRoutes } from './routes/subscription';
import { subscriptionLifecycleRoutes } from './routes/subscription-lifecycle';
import { healthRoutes } from './routes/health';
import { billingInvoiceRoutes } from './routes/billing-invoices';
import { purchaseRoutes } from './routes/purchase';
import { quoteRoutes } from './routes/quotes';
import { billingRoutes } from './routes/billing';
import { partnerCenterEventRoutes } from './routes/partner-center-events';
import { licenceRoutes } from './routes/licences';
import { partnerCenterEventVerifier, type PartnerCenterEventSettings } from './partner-center-events/verifier';
import type { ApiToken } from '../settings/api-tokens';
import { validatorCompiler } from './validation';
import { activeTracing } from '../tracing';

/**
 * Every route module of the API. A context that adds routes (e.g. `GET /v1/invoices…` for billing) writes a
 * RouteModule beside these in src/api/routes and lists it here; auth, problems, validation, the rate limit and
 * the OpenAPI document come with it.
 */
const ROUTES: readonly RouteModule[] = [
  healthRoutes,
  purchaseRoutes,
  quoteRoutes,
  subscriptionRoutes,
  subscriptionLifecycleRoutes,
  billingRoutes,
  billingInvoiceRoutes,
  partnerCenterEventRoutes,
  customerRoutes,
  licenceRoutes,
];

export interface ApiOptions {
  client: Client;
  taskQueue: string;
  tokens: readonly ApiToken[];
  /** Partner Center for the invoice routes; without it they answer 503 naming the settings they need. */
  partnerCenter?: PartnerCenterAccess;
  /** PCW_WEBHOOK_ALLOWED_ORIGINS; empty or absent, a request's callbackUrl is refused. */
  callbackOrigins?: readonly string[];
  /** Partner Center's events: the certificate hosts allowed and an extra trusted root; without it every event is refused. */
  partnerCenterEvents?: PartnerCenterEventSettings;
  /** Fastify's logger (pino): a level and where lines go; false for none. No header and no body is ever logged. */
  logger?: { level: string; stream?: { write(line: string): void } } | false;
  /** Requests a token may make in `rateWindow` (per client address on public routes); default 600 a minute. */
  rateLimit?: number;
  rateWindow?: string;
  /** Requests without a known token one client address may make in `failedAuthWindow`; default 20 a minute. */
  failedAuthLimit?: number;
  failedAuthWindow?: string;
}

/** The HTTP API (contract §3b) as a Fastify instance, ready to `listen` or `inject`. */
export async function buildApi(options: ApiOptions): Promise<ApiApp> {
  const app = createApp(options.logger);
  // With OTEL_* set, each request is a server span, the parent of the workflow it starts.
  activeTracing()?.traceRequests(app);
  refusePublicV1Routes(app);
  validateWithZod(app);
  answerWithProblems(app);
  await limitRequests(app, options);
  authenticateRequests(app, options);
  await describeInOpenApi(app);

  const deps = {
    client: options.client,
    taskQueue: options.taskQueue,
    partnerCenter: options.partnerCenter,
    callbackOrigins: options.callbackOrigins ?? [],
    partnerCenterEvents: partnerCenterEventVerifier(options.partnerCenterEvents ?? { certHosts: [] }),
  };
  for (const routes of ROUTES) routes(app, deps);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

function createApp(logger: ApiOptions['logger']): ApiApp {
  return Fastify({
    logger:
      logger === undefined || logger === false
        ? false
        : {
            level: logger.level,
            ...(logger.stream !== undefined ? { stream: logger.stream } : {}),
            // Only what says which request it was: never its headers (Authorization) nor its body.
            serializers: {
              req: (request: { method: string; url: string }) => ({ method: request.method, url: request.url }),
            },
          },
  }).withTypeProvider<ZodTypeProvider>();
}

/**
 * Fail closed: a /v1 route that names neither a role nor the signature that authenticates it is a mistake, and so is
 * a documented route without an operationId (generated clients name their methods after it).
 */
function refusePublicV1Routes(app: ApiApp): void {
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/v1/') && route.config?.role === undefined && route.config?.signedBy === undefined)
      throw new Error(`route ${String(route.method)} ${route.url} names no role (config.role) nor signedBy`);
    const schema = route.schema as { hide?: boolean; operationId?: string } | undefined;
    if (route.method !== 'HEAD' && schema?.hide !== true && schema?.operationId === undefined)
      throw new Error(`route ${String(route.method)} ${route.url} has no operationId (schema.operationId)`);
  });
}

function validateWithZod(app: ApiApp): void {
  const selfValidated = new Set<string>();
  app.addHook('onRoute', (route) => {
    if (route.config?.selfValidatedBody === true)
      for (const method of [route.method].flat()) selfValidated.add(`${method} ${route.url}`);
  });
  // JSON only: a text body would otherwise reach a route as a string (415 says what to send instead).
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler(selfValidated));
  // Responses are the workflows' values as they are: their schemas document them, they are not re-encoded.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
}

/** Every error and unknown route as an RFC 9457 problem. */
function answerWithProblems(app: ApiApp): void {
  app.setErrorHandler((error, request, reply) => {
    const problem = problemOf(error as Error);
    if (problem.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(request, reply, problem);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      new ProblemError(404, 'NotFound', `no route ${request.method} ${request.url.split('?')[0]}`),
    ),
  );
}

async function limitRequests(app: ApiApp, options: ApiOptions): Promise<void> {
  await app.register(fastifyRateLimit, {
    max: options.rateLimit ?? 600,
    timeWindow: options.rateWindow ?? '1 minute',
    // After authentication (onRequest), so the limit is the token's: one busy caller cannot starve the others;
    // before validation, so malformed requests count too.
    hook: 'preValidation',
    keyGenerator: (request) => (request.apiToken !== undefined ? `token:${request.apiToken.name}` : `ip:${request.ip}`),
    errorResponseBuilder: (request, context) =>
      new ProblemError(
        429,
        'RateLimited',
        `more than ${context.max} requests ${request.apiToken !== undefined ? `for token ${request.apiToken.name}` : 'from this address'} in ${options.rateWindow ?? '1 minute'}; retry in ${context.after}`,
      ),
  });
}

/** Bearer tokens on every route that names a role, and a limit on failed logins per address. */
function authenticateRequests(app: ApiApp, options: ApiOptions): void {
  // Failed logins per client address: each 401 counts, and past the limit a /v1 request from that address is refused
  // before its token is even looked at, so tokens cannot be guessed at speed (a known token never counts).
  const failedAuthWindow = options.failedAuthWindow ?? '1 minute';
  const failedAuth = app.createRateLimit({
    max: options.failedAuthLimit ?? 20,
    timeWindow: failedAuthWindow,
    keyGenerator: (request) => `failed-auth:${request.ip}`,
  });
  const verify = authenticate(options.tokens);
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.role === undefined) return;
    const failures = await failedAuth(request, { increment: false });
    if (!failures.isAllowed && failures.remaining === 0) {
      void reply.header('retry-after', String(failures.ttlInSeconds));
      throw new ProblemError(
        429,
        'RateLimited',
        `${failures.max} requests without a known bearer token came from this address within ${failedAuthWindow}; retry in ${failures.ttlInSeconds} s`,
      );
    }
    try {
      await verify(request);
    } catch (error) {
      if (error instanceof ProblemError && error.statusCode === 401) await failedAuth(request);
      throw error;
    }
  });
}

async function describeInOpenApi(app: ApiApp): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'partner-center-worker HTTP API',
        version: '1',
        description:
          'Buy and follow Microsoft Partner Center new-commerce subscriptions through Temporal workflows. Errors are RFC 9457 problem details.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      // Where the API listens is the deployment's choice: `npm start` serves it on 127.0.0.1:8090 by default.
      servers: [
        {
          url: '{scheme}://{host}',
          description: 'the partner-center-worker HTTP API (PCW_API_PORT)',
          variables: {
            scheme: { default: 'http', enum: ['http', 'https'] },
            host: { default: '127.0.0.1:8090', description: 'host and port of the API' },
          },
        },
      ],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
}
