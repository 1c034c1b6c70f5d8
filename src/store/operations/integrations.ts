import { z } from 'zod';
import { VigilError } from '../../errors.ts';
import type { Driver, SqlRow } from '../driver.ts';
import { jsonColumn, rowSchema, toJsonColumn } from '../rows.ts';
import type { IntegrationRecord, IntegrationUpdate } from '../types.ts';

const integrationRowSchema = rowSchema(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    kind: z.string(),
    config: jsonColumn(z.unknown()),
    secrets: jsonColumn(z.record(z.string(), z.string())),
    created_at: z.string(),
    updated_at: z.string(),
  }),
);

const integrationColumns = 'id, name, kind, config, secrets, created_at, updated_at';

function toIntegrationRecord(row: SqlRow): IntegrationRecord {
  const parsed = integrationRowSchema.parse(row);
  return {
    id: parsed.id,
    name: parsed.name,
    kind: parsed.kind,
    config: parsed.config,
    secrets: parsed.secrets,
    createdAt: parsed.created_at,
    updatedAt: parsed.updated_at,
  };
}

/**
 * Stores a new integration. INPUT_INVALID when its name is taken (names are unique regardless
 * of case) or its id exists; the check and the insert are one statement, so two processes adding
 * the same name cannot both succeed.
 */
export async function insertIntegration(driver: Driver, record: IntegrationRecord): Promise<void> {
  const inserted = await driver.run(
    `INSERT INTO integrations (${integrationColumns}) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    [
      record.id,
      record.name,
      record.kind,
      toJsonColumn(record.config),
      toJsonColumn(record.secrets),
      record.createdAt,
      record.updatedAt,
    ],
  );
  if (inserted === 0) {
    throw new VigilError('INPUT_INVALID', `An integration named '${record.name}' already exists.`, {
      hint: 'Choose another --name, or change the existing one with `vigil integrations update`.',
    });
  }
}

/** Replaces an integration's configuration and sealed secrets; NOT_FOUND when the id does not exist. */
export async function updateIntegration(
  driver: Driver,
  id: string,
  update: IntegrationUpdate,
): Promise<void> {
  const changed = await driver.run(
    'UPDATE integrations SET config = ?, secrets = ?, updated_at = ? WHERE id = ?',
    [toJsonColumn(update.config), toJsonColumn(update.secrets), update.updatedAt, id],
  );
  if (changed === 0) throw new VigilError('NOT_FOUND', `Integration ${id} does not exist.`);
}

/** The integration whose id is `reference`, else whose name is `reference` (any case), or undefined. */
export async function findIntegration(
  driver: Driver,
  reference: string,
): Promise<IntegrationRecord | undefined> {
  const rows = await driver.all(
    `SELECT ${integrationColumns} FROM integrations WHERE id = ? OR lower(name) = lower(?)
     ORDER BY CASE WHEN id = ? THEN 0 ELSE 1 END LIMIT 1`,
    [reference, reference, reference],
  );
  const [row] = rows;
  return row === undefined ? undefined : toIntegrationRecord(row);
}

/** Every integration, ordered by name. */
export async function listIntegrations(driver: Driver): Promise<IntegrationRecord[]> {
  const rows = await driver.all(`SELECT ${integrationColumns} FROM integrations ORDER BY lower(name), id`);
  return rows.map(toIntegrationRecord);
}

/** Deletes an integration (its sealed secrets go with it); false when there was none. */
export async function deleteIntegration(driver: Driver, id: string): Promise<boolean> {
  return (await driver.run('DELETE FROM integrations WHERE id = ?', [id])) > 0;
}
