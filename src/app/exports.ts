import { resolve } from 'node:path';
import type { AttackCatalogue } from '../attack/catalogue.ts';
import { type ActorCoverage, type CoverageTotals, rollUpCoverage } from '../coverage/model.ts';
import { toNavigatorLayer } from '../coverage/navigator.ts';
import { readActorCoverage } from '../coverage/read-coverage.ts';
import { toStixBundle } from '../coverage/stix.ts';
import { VigilError } from '../errors.ts';
import type { GraphStore } from '../store/types.ts';
import { writeFileAtomically } from './files.ts';

/** What an export wrote: the actor, the format, the absolute path, and the technique totals. */
export interface ExportSummary {
  actor: ActorCoverage['actor'];
  format: string;
  output: string;
  techniques: number;
  byVerdict: CoverageTotals['byVerdict'];
}

const writeHint = 'Choose another -o path, in a directory you can write to.';

async function write(output: string, format: string, document: unknown, coverage: ActorCoverage) {
  const path = resolve(output);
  await writeFileAtomically(path, `${JSON.stringify(document, null, 2)}\n`, writeHint);
  const { techniques, byVerdict } = rollUpCoverage(coverage);
  return { actor: coverage.actor, format, output: path, techniques, byVerdict };
}

/**
 * Coverage exports (C16): an actor's techniques with their latest verdicts, written atomically.
 * Until validation records verdicts every technique is exported as untested.
 */
export class ExportService {
  constructor(
    private readonly store: GraphStore,
    private readonly catalogue: () => AttackCatalogue,
  ) {}

  /** An ATT&CK Navigator layer (format 4.5). */
  async navigator(actor: string, output: string): Promise<ExportSummary> {
    const { coverage } = await readActorCoverage(this.store, actor);
    const layer = toNavigatorLayer(coverage, { attackVersion: this.catalogue().version });
    return write(output, 'ATT&CK Navigator layer', layer, coverage);
  }

  /** A STIX 2.1 bundle stamped with `timestamp`, else the actor's last sync (INPUT_INVALID if never synced). */
  async stix(actor: string, output: string, timestamp?: string): Promise<ExportSummary> {
    const { coverage, lastSyncAt } = await readActorCoverage(this.store, actor);
    const stamp = timestamp ?? lastSyncAt;
    if (stamp === null) {
      throw new VigilError(
        'INPUT_INVALID',
        `${coverage.actor.name} has no sync time to stamp the bundle with.`,
        {
          hint: 'Give one with --timestamp, e.g. --timestamp 2026-01-31T12:00:00Z.',
        },
      );
    }
    return write(output, 'STIX 2.1 bundle', toStixBundle(coverage, { timestamp: stamp }), coverage);
  }
}
