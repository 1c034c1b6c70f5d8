import { migration0001 } from './0001-graph.ts';
import { migration0002 } from './0002-sync-runs.ts';
import { migration0003 } from './0003-integrations.ts';
import { migration0004 } from './0004-run-locks.ts';
import { migration0005 } from './0005-scheduled-jobs.ts';
import { migration0006 } from './0006-api-tokens.ts';
import { migration0007 } from './0007-alerts.ts';
import { migration0008 } from './0008-rules.ts';
import { migration0009 } from './0009-query-indexes.ts';
import { migration0010 } from './0010-secret-key-fingerprint.ts';
import { migration0011 } from './0011-validations.ts';
import { migration0012 } from './0012-monitors.ts';
import { migration0013 } from './0013-entity-key-cover.ts';
import type { Migration } from './migration.ts';

export type { Migration } from './migration.ts';

/** Every migration, oldest first. Append only: a released migration is never edited or removed. */
export const migrations: readonly Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0005,
  migration0006,
  migration0007,
  migration0008,
  migration0009,
  migration0010,
  migration0011,
  migration0012,
  migration0013,
];
