import { z } from 'zod';
import type { AlertDetail, AlertFilter } from '../../app/alerts.ts';
import { VigilError } from '../../errors.ts';
import type { StoredEntity, StoredRelationship } from '../../graph/types.ts';
import { errorResponses, type RoutePlugin } from '../route-module.ts';

/** What the entity routes call (`vigil.graph`). */
export interface EntitiesPort {
  entity(key: string): Promise<{ entity: StoredEntity; relationships: StoredRelationship[] } | undefined>;
  entitiesOfType(type: string, page: { limit: number; offset: number }): Promise<StoredEntity[]>;
}

/** What the Threat Stack alert routes call (`vigil.alerts`). */
export interface AlertsPort {
  list(filter: AlertFilter): Promise<StoredEntity[]>;
  show(alertId: string): Promise<AlertDetail>;
}

const jsonValue = z.json();

const entitySchema = z
  .object({
    _key: z.string(),
    _type: z.string(),
    _class: z.string(),
    displayName: z.string(),
    properties: z.record(z.string(), jsonValue),
    integrationId: z.string(),
    firstSeenAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Entity' });

const relationshipSchema = z
  .object({
    _key: z.string(),
    _type: z.string(),
    _class: z.string(),
    fromKey: z.string(),
    fromType: z.string(),
    toKey: z.string(),
    toType: z.string(),
    properties: z.record(z.string(), jsonValue),
    integrationId: z.string(),
  })
  .meta({ id: 'Relationship' });

const pageQuery = {
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
};

/** `/entities` (viewer): one entity by `_key` with its relationships; the entities of a `_type` a page at a time. */
export function entityRoutes(graph: EntitiesPort): RoutePlugin {
  return async (app) => {
    app.get(
      '/entities',
      {
        config: { access: 'viewer' },
        schema: {
          summary: 'Entities of a _type, ordered by display name, a page at a time',
          querystring: z.object({ type: z.string().min(1).max(128), ...pageQuery }),
          response: {
            200: z.object({ entities: z.array(entitySchema), limit: z.number(), offset: z.number() }),
            ...errorResponses([400]),
          },
        },
      },
      async (request) => {
        const { type, limit, offset } = request.query;
        return { entities: await graph.entitiesOfType(type, { limit, offset }), limit, offset };
      },
    );
    app.get(
      '/entities/:key',
      {
        config: { access: 'viewer' },
        schema: {
          summary: 'One entity by _key (URL-encoded) with the relationships touching it',
          params: z.object({ key: z.string().min(1).max(512) }),
          response: {
            200: z.object({ entity: entitySchema, relationships: z.array(relationshipSchema) }),
            ...errorResponses([400, 404]),
          },
        },
      },
      async (request) => {
        const found = await graph.entity(request.params.key);
        if (found === undefined) {
          throw new VigilError('NOT_FOUND', `No entity has the _key ${request.params.key}.`, {
            hint: 'List entities of a type with GET /api/v1/entities?type=…',
          });
        }
        return found;
      },
    );
  };
}

/** `/alerts` (viewer): Threat Stack alerts (synced and webhook-received), newest first; one with its events. */
export function alertRoutes(alerts: AlertsPort): RoutePlugin {
  return async (app) => {
    app.get(
      '/alerts',
      {
        config: { access: 'viewer' },
        schema: {
          summary: 'Threat Stack alerts, newest first, by status, severity and creation time',
          querystring: z.object({
            status: z.enum(['open', 'dismissed']).optional(),
            severity: z.coerce
              .number()
              .pipe(z.union([z.literal(1), z.literal(2), z.literal(3)], 'must be 1, 2 or 3'))
              .optional(),
            since: z.iso
              .datetime({ offset: true })
              .optional()
              .describe('ISO-8601: alerts created at or after'),
            limit: z.coerce.number().int().min(1).max(1000).default(100),
          }),
          response: { 200: z.object({ alerts: z.array(entitySchema) }), ...errorResponses([400]) },
        },
      },
      async (request) => {
        const { status, severity, since, limit } = request.query;
        const filter: AlertFilter = {
          status,
          severity,
          sinceMs: since === undefined ? undefined : Date.parse(since),
          limit,
        };
        return { alerts: await alerts.list(filter) };
      },
    );
    app.get(
      '/alerts/:alertId',
      {
        config: { access: 'viewer' },
        schema: {
          summary: 'One Threat Stack alert by its vendor id, with the events its verification fetched',
          params: z.object({ alertId: z.string().min(1).max(128) }),
          response: {
            200: z.object({
              alert: entitySchema,
              events: z.array(jsonValue).nullable(),
              eventsFetchedAt: z.string().nullable(),
            }),
            ...errorResponses([400, 404]),
          },
        },
      },
      async (request) => alerts.show(request.params.alertId),
    );
  };
}
