import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceRoutes } from '../../src/app/service.ts';
import type { RouteAccess } from '../../src/server/route-module.ts';
import { openTestVigil, type TestVigil } from '../helpers/app.ts';
import { bearer, type Harness, openHarness } from './harness.ts';

/**
 * Every route's access, as the API promises it. The walk below fails when /openapi.json lists
 * a route missing here (a new route must state who may call it) or one listed here is gone.
 */
const expectedAccess: Record<string, RouteAccess> = {
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /metrics': 'viewer',
  'GET /openapi.json': 'viewer',
  'POST /webhooks/threatstack/{integrationId}/{secret}': 'public',
  'GET /api/v1/me': 'viewer',
  'GET /api/v1/tokens': 'admin',
  'POST /api/v1/tokens': 'admin',
  'DELETE /api/v1/tokens/{name}': 'admin',
  'GET /api/v1/integrations': 'viewer',
  'GET /api/v1/integrations/{name}': 'viewer',
  'POST /api/v1/integrations': 'admin',
  'PATCH /api/v1/integrations/{name}': 'admin',
  'DELETE /api/v1/integrations/{name}': 'admin',
  'POST /api/v1/integrations/{name}/test': 'operator',
  'POST /api/v1/integrations/{name}/sync': 'operator',
  'GET /api/v1/runs': 'viewer',
  'GET /api/v1/runs/{runId}': 'viewer',
  'GET /api/v1/entities': 'viewer',
  'GET /api/v1/entities/{key}': 'viewer',
  'GET /api/v1/alerts': 'viewer',
  'GET /api/v1/alerts/{alertId}': 'viewer',
  'GET /api/v1/rules': 'viewer',
  'GET /api/v1/rules/{rule}': 'viewer',
  'GET /api/v1/rules/{rule}/deliveries': 'viewer',
  'POST /api/v1/rules': 'admin',
  'POST /api/v1/query': 'viewer',
  'DELETE /api/v1/rules/{rule}': 'admin',
  'GET /api/v1/rule-alerts': 'viewer',
  'POST /api/v1/rule-alerts/{id}/dismiss': 'operator',
  'GET /api/v1/monitors': 'viewer',
  'GET /api/v1/monitors/{name}': 'viewer',
  'POST /api/v1/monitors': 'admin',
  'DELETE /api/v1/monitors/{name}': 'admin',
  'POST /api/v1/monitors/{name}/run': 'operator',
  'POST /api/v1/monitor-drift/{id}/dismiss': 'operator',
  'GET /api/v1/validations': 'viewer',
  'GET /api/v1/validations/{id}': 'viewer',
  'POST /api/v1/validations': 'operator',
  'GET /api/v1/coverage': 'viewer',
  'GET /api/v1/coverage/{actor}': 'viewer',
  'GET /api/v1/coverage/{actor}/matrix.svg': 'viewer',
  'GET /api/v1/coverage/{actor}/navigator': 'viewer',
  'GET /api/v1/coverage/{actor}/stix': 'viewer',
};

interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<
    string,
    Record<string, { security?: unknown[]; responses: Record<string, unknown>; 'x-vigil-access'?: string }>
  >;
  components: { securitySchemes: Record<string, unknown> };
  security: unknown[];
}

describe('/openapi.json', () => {
  let harness: Harness;
  let document: OpenApiDocument;
  let viewer: string;
  let opened: TestVigil;

  beforeAll(async () => {
    opened = await openTestVigil('sqlite');
    harness = await openHarness({ resources: resourceRoutes(opened.vigil) });
    viewer = await harness.tokenFor('viewer');
    const answer = await harness.app.inject({ url: '/openapi.json', headers: bearer(viewer) });
    expect(answer.statusCode).toBe(200);
    document = answer.json();
  });

  afterAll(async () => {
    await harness.close();
    await opened.dispose();
  });

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        key: `${method.toUpperCase()} ${path}`,
        path,
        method,
        operation,
      })),
    );

  it('is an OpenAPI 3.1 document with a bearer security scheme required by default', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toMatchObject({ title: 'Vigil API', version: '1' });
    expect(document.components.securitySchemes).toEqual({ bearer: { type: 'http', scheme: 'bearer' } });
    expect(document.security).toEqual([{ bearer: [] }]);
    for (const { operation } of operations())
      expect(Object.keys(operation.responses).length).toBeGreaterThan(1);
  });

  it('lists exactly the routes with a stated access (x-vigil-access), public ones without security', () => {
    expect(
      operations()
        .map((o) => o.key)
        .sort(),
    ).toEqual(Object.keys(expectedAccess).sort());
    for (const { key, operation } of operations()) {
      const access = expectedAccess[key];
      expect([key, operation['x-vigil-access'], operation.security]).toEqual([
        key,
        access,
        access === 'public' ? [] : undefined,
      ]);
    }
  });

  it('describes the webhook body as the vendor sends it (numbers or numeric strings)', () => {
    const webhook = document.paths['/webhooks/threatstack/{integrationId}/{secret}']?.post as unknown as {
      requestBody: {
        content: Record<
          string,
          { schema: { properties: { alerts: { items: { properties: Record<string, unknown> } } } } }
        >;
      };
    };
    const alert =
      webhook.requestBody.content['application/json']?.schema.properties.alerts.items.properties ?? {};
    expect(Object.keys(alert)).toEqual(expect.arrayContaining(['id', 'title', 'created_at', 'severity']));
    expect(JSON.stringify(alert.severity)).toContain('"string"');
    expect(JSON.stringify(alert.severity)).toContain('"number"');
  });

  it('walks every route: 401 without a token where due, 403 for a viewer below the route role', async () => {
    for (const { key, path, method } of operations()) {
      const url = path.replace(/\{[^}]+\}/g, 'x');
      const access = expectedAccess[key];
      const request = {
        method: method.toUpperCase() as 'GET',
        url,
        payload: method === 'get' ? undefined : {},
      };
      const outcome = async (headers: Record<string, string>) => {
        const status = (await harness.app.inject({ ...request, headers })).statusCode;
        return status === 401 || status === 403 ? status : 'allowed';
      };
      // The webhook path is public but carries its own credential: a made-up secret is 401 for anyone.
      const publicAnswer = key.startsWith('POST /webhooks/') ? 401 : 'allowed';
      const anonymous = access === 'public' ? publicAnswer : 401;
      const asViewer = access === 'public' ? publicAnswer : access === 'viewer' ? 'allowed' : 403;
      expect([key, await outcome({})]).toEqual([key, anonymous]);
      expect([key, await outcome(bearer(viewer))]).toEqual([key, asViewer]);
    }
  });
});
