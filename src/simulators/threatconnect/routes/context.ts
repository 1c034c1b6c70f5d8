import { HttpError } from '../../common/http.ts';
import type { Group, GroupKind } from '../data/model.ts';
import { failureMessages, type Page, type QueryParams, readPage } from '../query.ts';
import type { ThreatConnectSimulation } from '../simulation.ts';

/** An authenticated API request, as route handlers see it (the path already without the API root). */
export interface TcApiRequest {
  params: Record<string, string>;
  query: QueryParams;
  sim: ThreatConnectSimulation;
}

/** A route handler returns the `data` of a `{"status":"Success","data":…}` envelope, or throws an `HttpError`. */
export type TcApiHandler = (req: TcApiRequest) => Record<string, unknown>;

export function notFound(): HttpError {
  return new HttpError(404, failureMessages.notFound);
}

/** A numeric path parameter; anything else is a resource that cannot exist (404). */
export function idParam(req: TcApiRequest, name = 'id'): number {
  const raw = req.params[name] ?? '';
  if (!/^\d{1,15}$/.test(raw)) throw notFound();
  return Number(raw);
}

/** The visible group of `kind` named by the `:id` parameter, or 404. */
export function groupParam(req: TcApiRequest, kind: GroupKind, name = 'id'): Group {
  const group = req.sim.dataset.group(kind, idParam(req, name));
  if (!group) throw notFound();
  return group;
}

/** The request's pagination, against the configured maximum (D4). */
export function pageParam(req: TcApiRequest): Page {
  return readPage(req.query, req.sim.options.maxResultLimit);
}
