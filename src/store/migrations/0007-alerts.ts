import type { Migration } from './migration.ts';

/**
 * Threat Stack webhook intake. `webhook_secrets`: one row per integration holding the secret of
 * its webhook URL, sealed with the integration secrets cipher (AES-256-GCM, see
 * src/integrations/secrets.ts) so the full URL can be shown again; rotating replaces the row.
 * `threatstack_alert_events`: the events behind a verified alert (decision D7 shape), one JSON
 * array per alert entity, kept apart from the entity so a sync rewriting the alert keeps them.
 */
export const migration0007: Migration = {
  version: 7,
  name: 'alerts',
  sqlite: [
    `CREATE TABLE webhook_secrets (
      integration_id TEXT PRIMARY KEY,
      sealed_secret TEXT NOT NULL,
      created_at TEXT NOT NULL
    )`,
    `CREATE TABLE threatstack_alert_events (
      alert_key TEXT PRIMARY KEY,
      integration_id TEXT NOT NULL,
      events TEXT NOT NULL,
      fetched_at TEXT NOT NULL
    )`,
  ],
  postgres: [
    `CREATE TABLE webhook_secrets (
      integration_id text PRIMARY KEY,
      sealed_secret text NOT NULL,
      created_at text NOT NULL
    )`,
    `CREATE TABLE threatstack_alert_events (
      alert_key text PRIMARY KEY,
      integration_id text NOT NULL,
      events json NOT NULL,
      fetched_at text NOT NULL
    )`,
  ],
};
