import { resolve } from 'node:path';
import type { ActorCoverage, CoverageTotals } from '../coverage/model.ts';
import { rollUpCoverage } from '../coverage/model.ts';
import type { CoverageService } from './coverage.ts';
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
 * Coverage exports (C16): an actor's techniques with their latest validation verdicts (and the
 * evidence reference), written atomically.
 */
export class ExportService {
  constructor(private readonly coverage: CoverageService) {}

  /** An ATT&CK Navigator layer (format 4.5). */
  async navigator(actor: string, output: string): Promise<ExportSummary> {
    const { coverage, layer } = await this.coverage.navigatorLayer(actor);
    return write(output, 'ATT&CK Navigator layer', layer, coverage);
  }

  /** A STIX 2.1 bundle stamped with `timestamp`, else the actor's last sync (INPUT_INVALID if never synced). */
  async stix(actor: string, output: string, timestamp?: string): Promise<ExportSummary> {
    const { coverage, bundle } = await this.coverage.stixBundle(actor, timestamp);
    return write(output, 'STIX 2.1 bundle', bundle, coverage);
  }
}
