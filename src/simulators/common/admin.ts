import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { z } from 'zod';
import { VigilError } from '../../errors.ts';
import type { SimClock } from './clock.ts';
import { type FaultInjector, faultConfigSchema, parseFaultSpec } from './faults.ts';
import { HttpError, isLoopback, type Router, readBody } from './http.ts';
import type { RollingWindowLimiter } from './rate-limit.ts';
import { jsonOutcome, type Outcome } from './server.ts';

/** An admin request as handlers see it: the query, the route parameters and the parsed JSON body. */
export interface AdminRequest {
  query: URLSearchParams;
  params: Record<string, string>;
  body: unknown;
}

export interface AdminReply {
  status: number;
  json: unknown;
}

/** A handler of a simulator's admin API; `S` is the simulation it controls. */
export type AdminHandler<S> = (sim: S, req: AdminRequest) => AdminReply | Promise<AdminReply>;

export function adminOk(json: unknown): AdminReply {
  return { status: 200, json };
}

/** Parses an admin request body (a missing body counts as `{}`); failures are 400 with the problems listed. */
export function parseAdminBody<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    throw new HttpError(400, `Invalid request body: ${problems}`);
  }
  return result.data;
}

/** The controls every simulator exposes under /_sim/: faults, clock and rate limit. */
export interface SimControls {
  faults: FaultInjector;
  clock: SimClock;
  limiter: RollingWindowLimiter;
}

const faultsBody = z.union([z.object({ spec: z.string() }).strict(), faultConfigSchema]);

const clockBody = z.union([
  z.object({ offsetMs: z.number().int() }).strict(),
  z.object({ advanceMs: z.number().int() }).strict(),
]);

const rateLimitBody = z.object({ perMinute: z.number().int().min(0) }).strict();

function faultsView(controls: SimControls): AdminReply {
  return adminOk({ config: controls.faults.current, injected: controls.faults.injected });
}

function clockView(controls: SimControls): AdminReply {
  return adminOk({ now: new Date(controls.clock.now()).toISOString(), offsetMs: controls.clock.offsetMs });
}

/**
 * Adds the shared control routes to an admin router: `GET`/`PUT /_sim/faults` (`{"spec":…}` or a
 * fault configuration), `GET`/`PUT /_sim/clock` (`{offsetMs}` or `{advanceMs}`) and
 * `GET`/`PUT /_sim/rate-limit` (`{perMinute}`, 0 = off). `onClockChange` runs after every clock move.
 */
export function addControlRoutes<S>(
  router: Router<AdminHandler<S>>,
  controlsOf: (sim: S) => SimControls,
  onClockChange: (sim: S) => void = () => {},
): Router<AdminHandler<S>> {
  return router
    .add('GET', '/_sim/faults', (sim) => faultsView(controlsOf(sim)))
    .add('PUT', '/_sim/faults', (sim, { body }) => {
      const input = parseAdminBody(faultsBody, body);
      const controls = controlsOf(sim);
      controls.faults.configure('spec' in input ? parseFaultSpec(input.spec) : input);
      return faultsView(controls);
    })
    .add('GET', '/_sim/clock', (sim) => clockView(controlsOf(sim)))
    .add('PUT', '/_sim/clock', (sim, { body }) => {
      const input = parseAdminBody(clockBody, body);
      const { clock } = controlsOf(sim);
      if ('offsetMs' in input) clock.setOffset(input.offsetMs);
      else clock.advance(input.advanceMs);
      onClockChange(sim);
      return clockView(controlsOf(sim));
    })
    .add('GET', '/_sim/rate-limit', (sim) => adminOk({ perMinute: controlsOf(sim).limiter.perWindow }))
    .add('PUT', '/_sim/rate-limit', (sim, { body }) => {
      const { limiter } = controlsOf(sim);
      limiter.setLimit(parseAdminBody(rateLimitBody, body).perMinute);
      return adminOk({ perMinute: limiter.perWindow });
    });
}

const BODY_LIMIT = 1024 * 1024;

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const raw = await readBody(req, BODY_LIMIT);
  if (raw.length === 0) return null;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'Request body is not valid JSON');
  }
}

function adminError(status: number, code: string, message: string): Outcome {
  return jsonOutcome(status, { error: { code, message } });
}

/**
 * Serves one admin request: loopback callers only (403 otherwise), a JSON body, the route's
 * reply as JSON. Errors are `{"error":{code,message}}`: 404 `NOT_FOUND`, other `HttpError`s
 * `INPUT_INVALID`, coded errors with their own status, anything else 500 `INTERNAL_ERROR`.
 */
export async function dispatchAdmin<S>(
  router: Router<AdminHandler<S>>,
  sim: S,
  req: IncomingMessage,
  request: { method: string; path: string; query: URLSearchParams },
  log?: Logger,
): Promise<Outcome> {
  const { method, path, query } = request;
  if (!isLoopback(req.socket.remoteAddress)) {
    return adminError(403, 'FORBIDDEN', 'The admin API answers loopback callers only');
  }
  try {
    const body = await jsonBody(req);
    const route = router.match(method, path);
    if (route.kind === 'not-found') throw new HttpError(404, `No admin route ${path}`);
    if (route.kind === 'method-not-allowed') throw new HttpError(405, `${method} is not allowed on ${path}`);
    const reply = await route.handler(sim, { query, params: route.params, body });
    return jsonOutcome(reply.status, reply.json);
  } catch (error) {
    if (error instanceof HttpError) {
      return adminError(error.status, error.status === 404 ? 'NOT_FOUND' : 'INPUT_INVALID', error.message);
    }
    if (error instanceof VigilError) return jsonOutcome(error.httpStatus, { error: error.toJSON() });
    log?.error({ err: error, path }, 'admin route failed');
    return adminError(500, 'INTERNAL_ERROR', 'Admin request failed');
  }
}
