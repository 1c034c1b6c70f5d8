import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { type AdminHandler, dispatchAdmin } from '../common/admin.ts';
import { HttpError, type RouteMatch, type Router, readBody } from '../common/http.ts';
import {
  closeServer,
  delay,
  jsonOutcome,
  listen,
  type Outcome,
  serverUrl,
  writeOutcome,
} from '../common/server.ts';
import { buildAdminRouter, type ThreatConnectSimCredentials } from './admin.ts';
import { resolveOptions, type ThreatConnectSimOptions } from './options.ts';
import { failureMessages, QueryParams } from './query.ts';
import type { TcApiHandler } from './routes/context.ts';
import { buildApiRouter } from './routes/index.ts';
import { ThreatConnectSimulation } from './simulation.ts';

export type { ThreatConnectSimCredentials } from './admin.ts';
export type { ThreatConnectSimOptions } from './options.ts';

export interface RunningThreatConnectSimulator {
  /** `http://host:port`, without the API root. */
  url: string;
  /** The normalised API root: `/api`, or `''` when there is none. */
  apiRoot: string;
  credentials: ThreatConnectSimCredentials;
  simulation: ThreatConnectSimulation;
  close(): Promise<void>;
}

const BODY_LIMIT = 1024 * 1024;

/** The v2 failure body (spec §4): `{"status":"Failure","message":…}`, always JSON. */
function failure(status: number, message: string, headers: Record<string, string> = {}): Outcome {
  return jsonOutcome(status, { status: 'Failure', message }, headers);
}

/** D6: 429 with `Retry-After` in whole seconds (at least 1). */
function tooManyRequests(resetMs: number): Outcome {
  return failure(429, 'Too many requests', { 'retry-after': String(Math.max(1, Math.ceil(resetMs / 1000))) });
}

/** The path below the API root with one trailing slash dropped, or null when outside the root. */
function routePathOf(path: string, apiRoot: string): string | null {
  let below: string;
  if (apiRoot === '') below = path;
  else if (path.startsWith(`${apiRoot}/`)) below = path.slice(apiRoot.length);
  else return null;
  return below.length > 1 && below.endsWith('/') ? below.slice(0, -1) : below;
}

/** What the request pipeline needs, built once per simulator. */
interface Pipeline {
  simulation: ThreatConnectSimulation;
  api: Router<TcApiHandler>;
  admin: Router<AdminHandler<ThreatConnectSimulation>>;
  log: Logger | undefined;
}

function matchRoute(
  api: Router<TcApiHandler>,
  method: string,
  routePath: string | null,
): RouteMatch<TcApiHandler> {
  return routePath === null ? { kind: 'not-found' } : api.match(method, routePath);
}

/** Authentication (§2.5), then the rate limit (D6), then the route; every failure in the TC format. */
async function answerApi(
  { simulation, api, log }: Pipeline,
  req: IncomingMessage,
  routePath: string | null,
  rawQuery: string,
): Promise<Outcome> {
  try {
    await readBody(req, BODY_LIMIT);
  } catch (error) {
    return failure(error instanceof HttpError ? error.status : 400, (error as Error).message);
  }
  const auth = simulation.authenticator.verify(req);
  if (!auth.ok) {
    log?.debug({ reason: auth.message, diagnosis: auth.diagnosis }, 'authentication failed');
    return failure(simulation.options.authFailureStatus, auth.message);
  }
  const rate = simulation.limiter.take(auth.principal);
  if (!rate.allowed) return tooManyRequests(rate.resetMs);
  let route: RouteMatch<TcApiHandler>;
  try {
    route = matchRoute(api, req.method ?? 'GET', routePath);
  } catch (error) {
    if (error instanceof HttpError) return failure(error.status, error.message);
    throw error;
  }
  if (route.kind === 'not-found') return failure(404, failureMessages.notFound);
  if (route.kind === 'method-not-allowed') return failure(405, 'Method not allowed');
  try {
    const data = route.handler({ params: route.params, query: new QueryParams(rawQuery), sim: simulation });
    return jsonOutcome(200, { status: 'Success', data });
  } catch (error) {
    if (error instanceof HttpError) return failure(error.status, error.message);
    log?.error({ err: error, routePath }, 'route failed');
    return failure(500, 'Internal Server Error');
  }
}

/** One request: the admin API under /_sim/, else a fault or the API answer, counted and logged. */
async function handle(pipeline: Pipeline, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { simulation, log } = pipeline;
  const rawUrl = req.url ?? '/';
  const queryAt = rawUrl.indexOf('?');
  const path = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
  const rawQuery = queryAt < 0 ? '' : rawUrl.slice(queryAt + 1);
  const method = req.method ?? 'GET';
  if (path.startsWith('/_sim/')) {
    const query = new URLSearchParams(rawQuery);
    writeOutcome(res, await dispatchAdmin(pipeline.admin, simulation, req, { method, path, query }, log));
    return;
  }
  const routePath = routePathOf(path, simulation.options.apiRoot);
  const fault = simulation.faults.decide(routePath ?? path);
  if (fault === 'reset') {
    req.socket.resetAndDestroy();
    return;
  }
  let outcome: Outcome;
  if (fault === 'status500') outcome = failure(500, 'Internal Server Error');
  else if (fault === 'status429') outcome = tooManyRequests(1000);
  else outcome = await answerApi(pipeline, req, routePath, rawQuery);
  simulation.countRequest(outcome.status);
  log?.debug({ method, path, query: rawQuery, status: outcome.status, fault }, 'request');
  if (fault === 'slow') await delay(simulation.faults.current.slow.delayMs);
  writeOutcome(res, outcome, fault);
}

/**
 * Starts a ThreatConnect v2 API simulator held to specs/threatconnect-api.md: HMAC or TC-Token
 * on every API route under the API root, the admin API under /_sim/ for loopback callers,
 * faults and the optional rate limiter on API requests only. `deps.now` replaces the base
 * clock (tests); `deps.logger` gets one debug line per request.
 */
export async function startThreatConnectSimulator(
  input: Partial<ThreatConnectSimOptions> = {},
  deps: { now?: () => number; logger?: Logger } = {},
): Promise<RunningThreatConnectSimulator> {
  const options = resolveOptions(input);
  const simulation = new ThreatConnectSimulation(options, deps);
  let credentials: ThreatConnectSimCredentials | undefined;
  const pipeline: Pipeline = {
    simulation,
    api: buildApiRouter(),
    admin: buildAdminRouter(() => {
      if (!credentials) throw new Error('the simulator is not listening yet');
      return credentials;
    }),
    log: deps.logger,
  };
  const server: Server = createServer((req, res) => {
    handle(pipeline, req, res).catch((error: unknown) => {
      deps.logger?.error({ err: error }, 'request failed');
      if (!res.headersSent) writeOutcome(res, failure(500, 'Internal Server Error'));
    });
  });
  await listen(server, options.host, options.port);
  const url = serverUrl(server, options.host);
  simulation.setWebBase(url);
  credentials = { url, apiRoot: options.apiRoot, ...simulation.credentials };
  return {
    url,
    apiRoot: options.apiRoot,
    credentials,
    simulation,
    close: () => closeServer(server),
  };
}
