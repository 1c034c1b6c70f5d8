import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, type Harness, integrationId, openHarness, webhookSecret } from './harness.ts';

const url = `/webhooks/threatstack/${integrationId}/${webhookSecret}`;

/** The constructed example of spec §5, numbers as the emitter sends them (D11). */
const vendorAlert = {
  id: '56fd65138c1e0c173af5a3de',
  title: 'Threat Intelligence Activity: Communication to openbl by 185.110.132.54',
  created_at: 1459447024000,
  severity: 3,
  organization_id: '545d0293b620cd090d000023',
  organization_Name: 'Acme Corp',
  server_or_region: 'Threat_Stack_Demo_Ubuntu1',
  source: 'Host',
};

const normalised = {
  id: '56fd65138c1e0c173af5a3de',
  title: 'Threat Intelligence Activity: Communication to openbl by 185.110.132.54',
  createdAt: '2016-03-31T17:57:04.000Z',
  severity: 3,
  organizationId: '545d0293b620cd090d000023',
  organizationName: 'Acme Corp',
  serverOrRegion: 'Threat_Stack_Demo_Ubuntu1',
  source: 'Host',
};

describe('POST /webhooks/threatstack/:integrationId/:secret', () => {
  let harness: Harness;
  const post = (payload: unknown, options: { path?: string; contentType?: string } = {}) =>
    harness.app.inject({
      method: 'POST',
      url: options.path ?? url,
      headers: { 'content-type': options.contentType ?? 'application/json' },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });

  beforeEach(async () => {
    harness = await openHarness();
  });

  afterEach(async () => {
    await harness.close();
  });

  it('accepts a delivery (202), normalised, and counts a repeat as a duplicate', async () => {
    const first = await post({ alerts: [vendorAlert] });
    expect([first.statusCode, first.json()]).toEqual([202, { accepted: 1, duplicates: 0 }]);
    expect(harness.intake.alerts.get(`${integrationId}/${vendorAlert.id}`)).toEqual(normalised);
    const again = await post({ alerts: [vendorAlert, { ...vendorAlert, id: 'other' }] });
    expect([again.statusCode, again.json()]).toEqual([202, { accepted: 1, duplicates: 1 }]);
  });

  it('accepts created_at and severity quoted, and absent optional fields, to the same shape', async () => {
    const quoted = { id: 'q1', title: 't', created_at: '1459447024000', severity: '2' };
    expect((await post({ alerts: [quoted] })).statusCode).toBe(202);
    expect(harness.intake.alerts.get(`${integrationId}/q1`)).toEqual({
      id: 'q1',
      title: 't',
      createdAt: '2016-03-31T17:57:04.000Z',
      severity: 2,
      organizationId: null,
      organizationName: null,
      serverOrRegion: null,
      source: null,
    });
  });

  it('answers 401 alike for a wrong secret and an unknown integration, storing nothing', async () => {
    const body = {
      error: {
        code: 'UNAUTHENTICATED',
        message: 'Unknown integration or wrong webhook secret.',
        hint: 'Paste the URL printed by `vigil integrations webhook NAME` into Threat Stack.',
      },
    };
    const wrongSecret = await post(
      { alerts: [vendorAlert] },
      { path: `/webhooks/threatstack/${integrationId}/nope` },
    );
    const unknown = await post(
      { alerts: [vendorAlert] },
      { path: `/webhooks/threatstack/other/${webhookSecret}` },
    );
    expect([wrongSecret.statusCode, wrongSecret.json()]).toEqual([401, body]);
    expect([unknown.statusCode, unknown.json()]).toEqual([401, body]);
    expect(wrongSecret.headers['www-authenticate']).toBeUndefined();
    expect(harness.intake.alerts.size).toBe(0);
  });

  it('answers 400 on malformed JSON', async () => {
    const answer = await post('{"alerts":[');
    expect(answer.statusCode).toBe(400);
    expect(answer.json().error).toMatchObject({
      code: 'INPUT_INVALID',
      hint: 'Send one JSON document with Content-Type: application/json.',
    });
    expect(answer.json().error.message).toMatch(/^The request body is not valid JSON: /);
  });

  it.each([
    [{}, 'body.alerts: Invalid input: expected array, received undefined'],
    [{ alerts: [] }, 'body.alerts: Too small: expected array to have >=1 items'],
    [
      { alerts: [{ ...vendorAlert, severity: 4 }] },
      'body.alerts.0.severity: expected 1, 2 or 3 (a number or a numeric string)',
    ],
    [
      { alerts: [{ ...vendorAlert, created_at: 'yesterday' }] },
      'body.alerts.0.created_at: expected epoch milliseconds (a number or a numeric string)',
    ],
    [
      { alerts: [{ ...vendorAlert, id: undefined }] },
      'body.alerts.0.id: Invalid input: expected string, received undefined',
    ],
  ])('answers 400 INPUT_INVALID naming the field for %j', async (payload, message) => {
    const answer = await post(payload);
    expect(answer.statusCode).toBe(400);
    expect(answer.json()).toEqual({
      error: {
        code: 'INPUT_INVALID',
        message,
        hint: 'Correct the fields named; /openapi.json describes every route.',
      },
    });
  });

  it('answers 413 over 256 KiB', async () => {
    const big = { alerts: [{ ...vendorAlert, title: 'x'.repeat(256 * 1024) }] };
    const answer = await post(big);
    expect(answer.statusCode).toBe(413);
    expect(answer.json()).toEqual({
      error: {
        code: 'PAYLOAD_TOO_LARGE',
        message: 'The request body is larger than this route accepts.',
        hint: 'Send a smaller body (webhook deliveries: at most 256 KiB).',
      },
    });
  });

  it('answers 415 on a body that is not JSON', async () => {
    const answer = await post('alerts=1', { contentType: 'application/x-www-form-urlencoded' });
    expect(answer.statusCode).toBe(415);
    expect(answer.json()).toEqual({
      error: {
        code: 'MEDIA_TYPE_UNSUPPORTED',
        message: 'The request body must be JSON.',
        hint: 'Send it with Content-Type: application/json.',
      },
    });
  });

  it('counts alerts accepted and duplicate, and deliveries rejected, in /metrics', async () => {
    await post({ alerts: [vendorAlert] });
    await post({ alerts: [vendorAlert] });
    await post('{', {});
    await post({ alerts: [vendorAlert] }, { path: `/webhooks/threatstack/${integrationId}/nope` });
    const viewer = await harness.tokenFor('viewer');
    const metrics = (await harness.app.inject({ url: '/metrics', headers: bearer(viewer) })).body;
    expect(metrics).toContain('vigil_webhook_alerts_total{result="accepted"} 1\n');
    expect(metrics).toContain('vigil_webhook_alerts_total{result="duplicate"} 1\n');
    expect(metrics).toContain('vigil_webhook_alerts_total{result="rejected"} 2\n');
  });
});
