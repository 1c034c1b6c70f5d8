import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Principal, roleAtLeast } from '../app/tokens.ts';
import { VigilError } from '../errors.ts';
import type { TokenPort } from './ports.ts';
import type { TokenBucketLimiter } from './rate-limit.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The token's owner once authenticated; undefined on public routes. */
    principal: Principal | undefined;
  }
}

const bearerPattern = /^Bearer\s+(\S+)\s*$/i;

function unauthenticated(message: string): VigilError {
  return new VigilError('UNAUTHENTICATED', message, {
    hint: 'Send Authorization: Bearer <token>; an admin creates tokens with `vigil tokens create`.',
  });
}

async function principalOf(request: FastifyRequest, tokens: TokenPort): Promise<Principal> {
  const header = request.headers.authorization;
  if (header === undefined) throw unauthenticated('This route requires an API token.');
  const token = bearerPattern.exec(header)?.[1];
  if (token === undefined) throw unauthenticated('The Authorization header is not a Bearer token.');
  const principal = await tokens.authenticate(token);
  if (principal === undefined) throw unauthenticated('The API token is unknown or revoked.');
  return principal;
}

/**
 * Guards every route by its declared `config.access`: public routes pass; the others need a
 * bearer token (401 without, or unknown or revoked), within its rate (429), of at least the
 * route's role (403). A route registered without `config.access` stops the server from starting,
 * so none can be left open by omission; each route's access is published in /openapi.json as
 * `x-vigil-access`.
 */
export function installAuthentication(
  app: FastifyInstance,
  tokens: TokenPort,
  limiter: TokenBucketLimiter,
): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (access === undefined) {
      throw new Error(`Route ${String(route.method)} ${route.url} declares no config.access`);
    }
    route.schema = { ...route.schema, 'x-vigil-access': access };
  });
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (request.is404 || access === undefined || access === 'public') return;
    const principal = await principalOf(request, tokens);
    request.principal = principal;
    const decision = limiter.take(principal.tokenId);
    if (!decision.allowed) {
      throw new VigilError('API_RATE_LIMITED', `Token '${principal.name}' exceeded its request rate.`, {
        hint: 'Wait for the Retry-After seconds, then retry; spread requests out.',
        details: { retryAfterMs: decision.retryAfterMs },
      });
    }
    if (!roleAtLeast(principal.role, access)) {
      throw new VigilError(
        'FORBIDDEN',
        `This route requires the ${access} role; token '${principal.name}' is ${principal.role}.`,
        {
          hint: `Use a token with the ${access} role or higher.`,
        },
      );
    }
  });
}
