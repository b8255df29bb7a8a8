import type { FastifyRequest } from 'fastify';
import { ProblemError } from './problems';
import type { ApiRole, ApiToken } from '../settings/api-tokens';
import { allows, tokenVerifier } from './tokens';

declare module 'fastify' {
  interface FastifyRequest {
    /** The token the request authenticated with (its name keys the rate limit); undefined on public routes. */
    apiToken?: ApiToken;
  }
  interface FastifyContextConfig {
    /** The least role a route needs; public routes (health, readiness, the OpenAPI document) have none. */
    role?: ApiRole;
    /**
     * A /v1 route without a role that its caller's signature authenticates instead of a bearer token (Partner
     * Center's events); its handler verifies the signature. Every other /v1 route must name a role (see server.ts).
     */
    signedBy?: 'partner-center';
  }
}

/**
 * The onRequest hook of bearer authentication: 401 without a known token, 403 when its role is not enough.
 * The credential is read from the header and compared, never stored on the request or logged.
 */
export function authenticate(tokens: readonly ApiToken[]): (request: FastifyRequest) => Promise<void> {
  const verify = tokenVerifier(tokens);
  return async (request) => {
    const needed = request.routeOptions.config.role;
    if (needed === undefined) return;
    const match = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '');
    if (!match) throw new ProblemError(401, 'Unauthorized', 'this route needs an Authorization: Bearer <token> header');
    const token = verify(match[1]);
    if (token === undefined)
      throw new ProblemError(401, 'Unauthorized', 'the bearer token is not one of PCW_API_TOKENS');
    if (!allows(token.role, needed))
      throw new ProblemError(
        403,
        'Forbidden',
        `token ${token.name} has role ${token.role}; this route needs ${needed}${needed === 'read' ? '' : ' or above'}`,
      );
    request.apiToken = token;
  };
}
