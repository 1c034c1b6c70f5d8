import { describe, expect, it } from 'vitest';
import { toAlertEntity } from '../../src/connectors/threatstack/converters.ts';
import { alertSchema } from '../../src/connectors/threatstack/types.ts';
import { toWebhookAlertEntity, webhookPayloadSchema } from '../../src/connectors/threatstack/webhook.ts';

const summary = {
  id: '56fd65138c1e0c173af5a3de',
  title: 'Threat Intelligence Activity: Communication to openbl by 185.110.132.54',
  created_at: 1459447024000,
  severity: 3,
  organization_id: '545d0293b620cd090d000023',
  organization_Name: 'Acme Corp',
  server_or_region: 'Threat_Stack_Demo_Ubuntu1',
  source: 'Host',
};

describe('the Threat Stack webhook payload', () => {
  it('accepts created_at and severity as numbers or numeric strings, normalised to numbers', () => {
    const quoted = webhookPayloadSchema.parse({
      alerts: [{ ...summary, created_at: '1459447024000', severity: '3' }],
    });
    expect(quoted).toEqual(webhookPayloadSchema.parse({ alerts: [summary] }));
    expect(quoted.alerts[0]).toMatchObject({ created_at: 1459447024000, severity: 3 });
  });

  it('keeps unknown keys (they are the raw data)', () => {
    const parsed = webhookPayloadSchema.parse({ alerts: [{ ...summary, extra: 1 }], note: 'x' });
    expect(parsed.alerts[0]).toMatchObject({ extra: 1 });
  });

  it.each([
    [{ alerts: [] }, 'alerts: the payload carries no alert'],
    [{ alerts: [{ ...summary, severity: '4' }] }, 'alerts.0.severity: must be 1, 2 or 3'],
    [{ alerts: [{ ...summary, severity: 'high' }] }, 'alerts.0.severity'],
    [{ alerts: [{ ...summary, created_at: '12.5' }] }, 'alerts.0.created_at'],
    [{ alerts: [{ ...summary, id: 'a b' }] }, 'alerts.0.id: the alert id must be printable ASCII'],
    [{}, 'alerts'],
  ])('refuses %j, naming the field', (payload, reason) => {
    const result = webhookPayloadSchema.safeParse(payload);
    expect(result.success).toBe(false);
    const described = result.error?.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    expect(described).toContain(reason);
  });

  it('becomes a pending threatstack_alert with the sync converter property names', () => {
    const [alert] = webhookPayloadSchema.parse({ alerts: [summary] }).alerts;
    if (alert === undefined) throw new Error('no alert');
    expect(toWebhookAlertEntity(alert)).toEqual({
      _key: 'threatstack:alert:56fd65138c1e0c173af5a3de',
      _type: 'threatstack_alert',
      _class: 'Finding',
      displayName: summary.title,
      properties: {
        id: summary.id,
        title: summary.title,
        severity: 3,
        dataSource: null,
        createdOn: 1459447024000,
        dismissed: false,
        dismissedOn: null,
        dismissReason: null,
        dismissedBy: null,
        agentId: null,
        ruleId: null,
        rulesetId: null,
        open: true,
        serverOrRegion: 'Threat_Stack_Demo_Ubuntu1',
        verified: false,
        verification: 'pending',
        source: 'webhook',
      },
      rawData: summary,
    });
    const synced = toAlertEntity(
      alertSchema.parse({ id: summary.id, createdAt: '2016-03-31T18:37:04.000Z', severity: 3 }),
    );
    expect(Object.keys(toWebhookAlertEntity(alert).properties)).toEqual(
      expect.arrayContaining(Object.keys(synced.properties)),
    );
  });
});
