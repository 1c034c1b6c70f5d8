import { z } from 'zod';
import type { Driver } from '../driver.ts';
import { jsonColumn } from '../rows.ts';
import type { LatestVerdictFilter, LatestVerdictRecord } from '../types.ts';

const latestRowSchema = z
  .object({
    technique: z.string(),
    verdict: z.string(),
    correlated_at: z.string(),
    validation_id: z.string(),
    action_id: z.string(),
    integration_id: z.string(),
    correlation: z.union([z.null(), jsonColumn(z.unknown())]),
  })
  .transform(
    (row): LatestVerdictRecord => ({
      technique: row.technique,
      verdict: row.verdict,
      verdictAt: row.correlated_at,
      validationId: row.validation_id,
      actionId: row.action_id,
      integrationId: row.integration_id,
      correlation: row.correlation,
    }),
  );

/**
 * The latest verdict per technique (see `ValidationRecords.latestVerdicts`): of the actions with a
 * verdict, per technique the one with the newest verdict time (`correlated_at`, ISO-8601 UTC, so
 * text order is time order), ties broken by the newer validation, then the later action in it.
 * One statement with a window function (SQLite ≥ 3.25 and PostgreSQL alike).
 */
export async function latestVerdicts(
  driver: Driver,
  filter: LatestVerdictFilter,
): Promise<LatestVerdictRecord[]> {
  if (filter.techniques !== undefined && filter.techniques.length === 0) return [];
  const conditions = ['a.verdict IS NOT NULL', 'a.correlated_at IS NOT NULL'];
  const params: string[] = [];
  if (filter.techniques !== undefined) {
    conditions.push(`a.technique IN (${filter.techniques.map(() => '?').join(', ')})`);
    params.push(...filter.techniques);
  }
  if (filter.integrationId !== undefined) {
    conditions.push('v.integration_id = ?');
    params.push(filter.integrationId);
  }
  const rows = await driver.all(
    `SELECT technique, verdict, correlated_at, validation_id, action_id, integration_id, correlation
     FROM (
       SELECT a.technique, a.verdict, a.correlated_at, a.validation_id, a.action_id, v.integration_id,
         a.correlation,
         ROW_NUMBER() OVER (
           PARTITION BY a.technique
           ORDER BY a.correlated_at DESC, v.created_at DESC, a.validation_id DESC, a.position DESC
         ) AS newest
       FROM validation_actions a JOIN validations v ON v.id = a.validation_id
       WHERE ${conditions.join(' AND ')}
     ) ranked
     WHERE newest = 1
     ORDER BY technique`,
    params,
  );
  return rows.map((row) => latestRowSchema.parse(row));
}
