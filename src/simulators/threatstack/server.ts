import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { dispatchAdmin } from '../common/admin.ts';
import { HttpError, type RouteMatch, readBody } from '../common/http.ts';
import {
  closeServer,
  delay,
  jsonOutcome,
  listen,
  type Outcome,
  serverUrl,
  writeOutcome as write,
} from '../common/server.ts';
import { buildAdminRouter } from './admin.ts';
import { resolveOptions, type ThreatStackSimOptions } from './options.ts';
import type { ApiReply } from './routes/context.ts';
import { type ApiRoute, buildApiRouter } from './routes/index.ts';
import { type SimulationDeps, ThreatStackSimulation } from './simulation.ts';

/** What the simulator prints on start: the credentials of an admin of the primary organization. */
export interface ThreatStackSimCredentials {
  url: string;
  userId: string;
  apiKey: string;
  orgId: string;
  orgName: string;
}

export interface RunningThreatStackSimulator {
  url: string;
  credentials: ThreatStackSimCredentials;
  simulation: ThreatStackSimulation;
  close(): Promise<void>;
}

const BODY_LIMIT = 1024 * 1024;

function jsonErrors(status: number, message: string, headers: Record<string, string> = {}): Outcome {
  return jsonOutcome(status, { errors: [message] }, headers);
}

function tooManyRequests(limit: number, resetMs: number): Outcome {
  return {
    status: 429,
    headers: {
      'content-type': 'text/plain',
      'x-rate-limit-limit': String(limit),
      'x-rate-limit-remaining': '0',
      'x-rate-limit-reset': String(Math.ceil(resetMs)),
    },
    body: 'Too Many Requests',
  };
}

/**
 * Starts a Threat Stack API simulator held to specs/threatstack-api.md: Hawk on every API
 * route, the admin API under /_sim/ for loopback callers, fault injection on API routes.
 */
export async function startThreatStackSimulator(
  input: Partial<ThreatStackSimOptions> = {},
  deps: SimulationDeps & { logger?: Logger } = {},
): Promise<RunningThreatStackSimulator> {
  const options = resolveOptions(input);
  const simulation = new ThreatStackSimulation(options, deps);
  const api = buildApiRouter(simulation.directory);
  const admin = buildAdminRouter();
  const log = deps.logger;

  /** The route of a path; a malformed %-escape in a parameter matches no route. */
  /** The route of a request, or the 400 of a path whose %-escapes are malformed. */
  const matchRoute = (method: string, path: string): RouteMatch<ApiRoute> | HttpError => {
    try {
      return api.match(method, path);
    } catch (error) {
      return error instanceof HttpError ? error : new HttpError(400, 'Malformed path');
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const path = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    const rawQuery = queryAt < 0 ? '' : rawUrl.slice(queryAt + 1);
    const query = new URLSearchParams(rawQuery);
    const method = req.method ?? 'GET';

    if (path.startsWith('/_sim/')) {
      write(res, await dispatchAdmin(admin, simulation, req, { method, path, query }, log));
      return;
    }

    const route = matchRoute(method, path);
    const fault = simulation.faults.decide(path);
    if (fault === 'reset') {
      req.socket.resetAndDestroy();
      return;
    }
    let outcome: Outcome;
    if (fault === 'status500') outcome = jsonErrors(500, 'Internal Server Error');
    else if (fault === 'status429') outcome = tooManyRequests(simulation.limiter.perWindow || 200, 1000);
    else outcome = await handleApi(method, path, query, req, route);
    simulation.countRequest(
      outcome.status,
      !(route instanceof HttpError) && route.kind === 'found' ? route.handler.route : `${method} (no route)`,
    );
    log?.debug({ method, path, query: rawQuery, status: outcome.status, fault }, 'request');
    if (fault === 'slow') await delay(simulation.faults.current.slow.delayMs);
    write(res, outcome, fault);
  };

  const handleApi = async (
    method: string,
    path: string,
    query: URLSearchParams,
    req: IncomingMessage,
    route: RouteMatch<ApiRoute> | HttpError,
  ): Promise<Outcome> => {
    let body: Buffer;
    try {
      body = await readBody(req, BODY_LIMIT);
    } catch (error) {
      return jsonErrors(error instanceof HttpError ? error.status : 400, (error as Error).message);
    }
    const auth = await simulation.verifier.authenticate(req, body);
    if (!auth.ok) {
      return jsonErrors(
        auth.status,
        auth.reason,
        auth.wwwAuthenticate ? { 'www-authenticate': auth.wwwAuthenticate } : {},
      );
    }
    const rate = simulation.limiter.take(auth.org.id);
    if (!rate.allowed) return tooManyRequests(rate.limit, rate.resetMs);
    const refused = simulation.verifier.authorize(auth.membership, method, path);
    if (refused && !refused.ok) return jsonErrors(refused.status, refused.reason);
    let reply: ApiReply;
    try {
      if (route instanceof HttpError) throw route;
      if (route.kind === 'not-found') throw new HttpError(404, 'Not found');
      if (route.kind === 'method-not-allowed') throw new HttpError(405, 'Method not allowed');
      reply = await route.handler.handler({
        method,
        path,
        query,
        params: route.params,
        rawBody: body,
        data: simulation.orgData(auth.org.id),
        user: auth.user,
        membership: auth.membership,
        now: simulation.clock.now(),
        tokens: simulation.tokens,
        cveAgents: simulation.cveAgents,
      });
    } catch (error) {
      if (!(error instanceof HttpError)) log?.error({ err: error, path }, 'route failed');
      return error instanceof HttpError
        ? jsonErrors(error.status, error.message)
        : jsonErrors(500, 'Internal Server Error');
    }
    const payload = reply.status === 204 ? '' : JSON.stringify(reply.json);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (rate.limit > 0) {
      headers['x-rate-limit-limit'] = String(rate.limit);
      headers['x-rate-limit-remaining'] = String(rate.remaining);
    }
    if (reply.status >= 200 && reply.status < 300) {
      headers['server-authorization'] = simulation.verifier.responseHeader(
        auth.credentials,
        auth.artifacts,
        payload,
      );
    }
    return { status: reply.status, headers, body: payload };
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log?.error({ err: error }, 'request failed');
      if (!res.headersSent) write(res, jsonErrors(500, 'Internal Server Error'));
    });
  });
  await listen(server, options.host, options.port);
  const url = serverUrl(server, options.host);
  const pump = setInterval(() => simulation.webhooks.pump(simulation.clock.now()), 1000);
  pump.unref();
  const adminUser = simulation.directory.persona('admin');
  return {
    url,
    simulation,
    credentials: {
      url,
      userId: adminUser.id,
      apiKey: adminUser.apiKey,
      orgId: simulation.directory.primary.id,
      orgName: simulation.directory.primary.name,
    },
    close: async () => {
      clearInterval(pump);
      await closeServer(server);
      await simulation.webhooks.settle();
    },
  };
}
