import type { Driver } from '../driver.ts';
import { toJsonColumn } from '../rows.ts';
import type { ValidationPollUpdate } from '../types.ts';
import { clearSeen } from './deleteUnseen.ts';
import { writeEntities } from './writeEntities.ts';

/**
 * Records a finished poll (see `ValidationRecords.recordValidationPoll`). The row is updated only
 * while its next poll is still the one recorded (`index`), so a second run of a poll — two
 * workers, a retry after a lost lease — writes nothing and returns false. With the verdict, the
 * discovered devices are written as graph entities of `devices.owner` in the same transaction
 * (under a bookkeeping run id `validation:<id>/<action>`, whose seen keys and change counts are
 * dropped at once: they belong to no sync run, and no sync of another owner deletes them), and the validation becomes `complete` when no action lacks a verdict.
 */
export function recordValidationPoll(
  driver: Driver,
  validationId: string,
  actionId: string,
  update: ValidationPollUpdate,
): Promise<boolean> {
  return driver.transaction(async (tx) => {
    const { verdict } = update;
    const changed = await tx.run(
      `UPDATE validation_actions SET done_polls = ?, next_poll_index = ?, next_poll_at = ?, pool = ?,
         verdict = ?, correlation = ?, suspicious = ?, correlated_at = ?
       WHERE validation_id = ? AND action_id = ? AND next_poll_index = ? AND verdict IS NULL`,
      [
        toJsonColumn(update.donePolls),
        update.nextPoll?.index ?? null,
        update.nextPoll?.at ?? null,
        toJsonColumn(update.pool),
        verdict?.verdict ?? null,
        verdict === undefined ? null : toJsonColumn(verdict.correlation),
        verdict === undefined ? null : toJsonColumn(verdict.suspicious),
        verdict?.at ?? null,
        validationId,
        actionId,
        update.index,
      ],
    );
    if (changed === 0) return false;
    if (verdict === undefined) return true;
    if (verdict.devices.entities.length > 0) {
      const runId = `validation:${validationId}/${actionId}`;
      await writeEntities(tx, runId, verdict.devices.owner, verdict.devices.entities, verdict.at);
      await clearSeen(tx, runId);
      await tx.run('DELETE FROM sync_changes WHERE run_id = ?', [runId]);
    }
    await tx.run(
      `UPDATE validations SET status = 'complete' WHERE id = ? AND NOT EXISTS
         (SELECT 1 FROM validation_actions WHERE validation_id = ? AND verdict IS NULL)`,
      [validationId, validationId],
    );
    return true;
  });
}
