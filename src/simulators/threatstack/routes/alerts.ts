import { z } from 'zod';
import { HttpError } from '../../common/http.ts';
import {
  type AlertCursor,
  type AlertFilter,
  dismissReasons,
  type StoredAlert,
  toAlertJson,
} from '../data/alerts.ts';
import { parseLenientIso } from '../time.ts';
import { type ApiHandler, type ApiRequest, enumParam, listPage, notFound, ok, parseBody } from './context.ts';

function timeParam(req: ApiRequest, name: string): number | undefined {
  const value = req.query.get(name);
  if (value === null) return undefined;
  const ms = parseLenientIso(value);
  if (ms === null) {
    throw new HttpError(
      400,
      `Query parameter ${name} must be an ISO-8601 date or date-time, e.g. 2017-08-01T12:00:00Z`,
    );
  }
  return ms;
}

function severityParam(req: ApiRequest): number | undefined {
  const value = enumParam(req, 'severity', ['1', '2', '3'] as const, true);
  return value === undefined ? undefined : Number(value);
}

const alertCursor = z.tuple([z.number(), z.string()]);

/** GET /v2/alerts?status=active|dismissed[&from][&until][&severity][&ruleId][&agentId] (D6). */
export const listAlerts: ApiHandler = (req) => {
  const filter: AlertFilter = {
    status: enumParam(req, 'status', ['active', 'dismissed'] as const),
    from: timeParam(req, 'from'),
    until: timeParam(req, 'until'),
    severity: severityParam(req),
    ruleId: req.query.get('ruleId') ?? undefined,
    agentId: req.query.get('agentId') ?? undefined,
  };
  return listPage<StoredAlert, AlertCursor>(
    req,
    'alerts',
    alertCursor,
    (after) => req.data.alerts.iterate(filter, after, req.now),
    (alert) => [alert.createdAt, alert.id],
    toAlertJson,
  );
};

function visibleAlert(req: ApiRequest): StoredAlert {
  const alert = req.data.alerts.get(req.params.id ?? '', req.now);
  if (!alert) throw notFound('Alert');
  return alert;
}

/** GET /v2/alerts/:id → bare alert. */
export const getAlert: ApiHandler = (req) => ok(toAlertJson(visibleAlert(req)));

/** GET /v2/alerts/:id/events → `{events:[…]}`, unpaginated (D7). */
export const listAlertEvents: ApiHandler = (req) => {
  const alert = visibleAlert(req);
  return ok({ events: req.data.alerts.eventsOf(alert) });
};

/** GET /v2/alerts/severity-counts[?from][&until] → counts for severities 1, 2 and 3. */
export const severityCounts: ApiHandler = (req) => {
  const filter: AlertFilter = { from: timeParam(req, 'from'), until: timeParam(req, 'until') };
  const counts = new Map<number, number>([
    [1, 0],
    [2, 0],
    [3, 0],
  ]);
  for (const alert of req.data.alerts.iterate(filter, null, req.now)) {
    counts.set(alert.severity, (counts.get(alert.severity) ?? 0) + 1);
  }
  return ok({ severityCounts: [...counts].map(([severity, count]) => ({ severity, count })) });
};

const lenientTime = z
  .string()
  .refine((v) => parseLenientIso(v) !== null, 'must be an ISO-8601 date or date-time');

const dismissBody = z
  .object({
    ids: z.array(z.string()).min(1).optional(),
    from: lenientTime.optional(),
    until: lenientTime.optional(),
    severity: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
    ruleId: z.string().optional(),
    ruleID: z.string().optional(),
    agentId: z.string().optional(),
    agentID: z.string().optional(),
    dismissReason: z.enum(dismissReasons),
    dismissReasonText: z.string().optional(),
  })
  .refine((b) => b.dismissReason !== 'OTHER' || (b.dismissReasonText ?? '') !== '', {
    message: 'dismissReasonText is required when dismissReason is OTHER',
  })
  .refine(
    (b) =>
      b.ids !== undefined ||
      (b.from !== undefined &&
        b.until !== undefined &&
        (b.severity !== undefined || (b.ruleId ?? b.ruleID ?? b.agentId ?? b.agentID) !== undefined)),
    { message: 'give ids, or from, until and at least one of severity, ruleId, agentId' },
  );

/** POST /v2/alerts/dismiss: by ids, or by from/until plus severity/rule/agent (D8: both key casings). */
export const dismissAlerts: ApiHandler = (req) => {
  const body = parseBody(req, dismissBody);
  const ruleId = body.ruleId ?? body.ruleID;
  const agentId = body.agentId ?? body.agentID;
  const ids = body.ids ? new Set(body.ids) : null;
  const from = body.from === undefined ? undefined : (parseLenientIso(body.from) ?? undefined);
  const until = body.until === undefined ? undefined : (parseLenientIso(body.until) ?? undefined);
  req.data.alerts.dismiss(
    (alert) =>
      ids !== null
        ? ids.has(alert.id)
        : (from === undefined || alert.createdAt >= from) &&
          (until === undefined || alert.createdAt <= until) &&
          (body.severity === undefined || alert.severity === body.severity) &&
          (ruleId === undefined || alert.ruleId === ruleId) &&
          (agentId === undefined || alert.agentId === agentId),
    body.dismissReason,
    body.dismissReasonText ?? null,
    req.user.email,
    req.now,
  );
  return ok({});
};
