import { resolve } from 'node:path';
import { type Command, Option } from '@commander-js/extra-typings';
import type { ActorCoverageReport } from '../app/coverage.ts';
import { writeFileAtomically } from '../app/files.ts';
import type { ActorCoverageLine, CoverageTechnique, VerdictCounts } from '../coverage/model.ts';
import { verdicts } from '../coverage/model.ts';
import { VigilError } from '../errors.ts';
import { dbOption, withApp } from './app.ts';
import { printJson } from './output.ts';
import { renderTable } from './table.ts';

const countsOf = (counts: VerdictCounts) =>
  verdicts.map((verdict) => `${counts[verdict]} ${verdict}`).join(', ');

/** The text form of `vigil coverage --actor`: every technique × latest verdict, then the totals. */
export function renderActorCoverage({ coverage, totals }: ActorCoverageReport): string {
  const header = `${coverage.actor.name} (${coverage.actor.key}): ${totals.techniques} techniques; ${countsOf(totals.byVerdict)}\n`;
  const techniques = renderTable(
    [
      { header: 'technique', value: (t: CoverageTechnique) => t.id },
      { header: 'name', value: (t: CoverageTechnique) => t.name ?? '' },
      { header: 'tactics', value: (t: CoverageTechnique) => t.tactics.join(', ') },
      {
        header: 'verdict',
        value: (t: CoverageTechnique) => (t.verdict === 'untested' ? 'never tested' : t.verdict),
      },
      { header: 'tested at', value: (t: CoverageTechnique) => t.testedAt ?? '' },
      { header: 'validation', value: (t: CoverageTechnique) => t.validationId ?? '' },
      { header: 'evidence', value: (t: CoverageTechnique) => t.evidence ?? '' },
    ],
    coverage.techniques,
  );
  type TacticRow = ActorCoverageReport['totals']['byTactic'][number];
  const tactics = renderTable(
    [
      { header: 'tactic', value: (row: TacticRow) => row.tactic ?? '(unknown tactic)' },
      { header: 'techniques', value: (row: TacticRow) => row.techniques },
      ...verdicts.map((verdict) => ({ header: verdict, value: (row: TacticRow) => row.byVerdict[verdict] })),
    ],
    totals.byTactic,
  );
  return `${header}\n${techniques}\n\nPer tactic (a technique counts in each of its tactics):\n${tactics}\n`;
}

/** The text form of `vigil coverage`: one line per actor, worst covered first. */
export function renderCoverageSummary(lines: ActorCoverageLine[]): string {
  if (lines.length === 0)
    return 'No threat actors in the graph yet; run `vigil sync` of a ThreatConnect integration first.\n';
  return `${renderTable(
    [
      { header: 'id', value: (line: ActorCoverageLine) => String(line.actor.id) },
      { header: 'actor', value: (line: ActorCoverageLine) => line.actor.name },
      { header: 'techniques', value: (line: ActorCoverageLine) => line.techniques },
      { header: 'tested', value: (line: ActorCoverageLine) => line.tested },
      { header: 'detected', value: (line: ActorCoverageLine) => line.detected },
      { header: 'missed', value: (line: ActorCoverageLine) => line.missed },
      { header: 'missed %', value: (line: ActorCoverageLine) => `${Math.round(line.missedShare * 100)}%` },
    ],
    lines,
  )}\n`;
}

/** Writes `text` to `output` (atomically) and says so on stderr, or prints it. */
async function emit(text: string, output: string | undefined): Promise<void> {
  if (output === undefined) {
    process.stdout.write(text);
    return;
  }
  const path = resolve(output);
  await writeFileAtomically(path, text, 'Choose another -o path, in a directory you can write to.');
  process.stderr.write(`Wrote ${path}\n`);
}

/**
 * `vigil coverage [--actor NAME|ID] [--format table|json|svg] [-o FILE]`: one actor's techniques ×
 * latest verdicts with totals per verdict and tactic (svg: the ATT&CK matrix), or every synced
 * actor in one line, sorted by the share of techniques missed.
 */
export function registerCoverageCommand(program: Command): void {
  program
    .command('coverage')
    .description(
      'threat-informed coverage: an actor’s techniques × latest validation verdicts, or every actor',
    )
    .option(
      '--actor <name|id>',
      'the threat actor’s ThreatConnect id or name (default: every actor, one line each)',
    )
    .addOption(
      new Option('--format <format>', 'table, json, or svg (the ATT&CK matrix; needs --actor)')
        .choices(['table', 'json', 'svg'] as const)
        .default('table' as const),
    )
    .option('-o, --output <file>', 'write to this file (replaced atomically) instead of stdout')
    .option('--json', 'the same as --format json')
    .option(...dbOption)
    .action((flags) =>
      withApp(flags, async (vigil) => {
        const format = flags.json === true ? 'json' : flags.format;
        if (flags.actor === undefined) {
          if (format === 'svg') {
            throw new VigilError('USAGE_INVALID', '--format svg draws one actor’s matrix.', {
              hint: 'Add --actor NAME (see `vigil coverage` for the actors).',
            });
          }
          const lines = await vigil.coverage.summary();
          if (format === 'json' && flags.output === undefined) printJson({ actors: lines });
          else
            await emit(
              format === 'json'
                ? `${JSON.stringify({ actors: lines }, null, 2)}\n`
                : renderCoverageSummary(lines),
              flags.output,
            );
          return;
        }
        if (format === 'svg') {
          await emit(await vigil.coverage.matrixSvg(flags.actor), flags.output);
          return;
        }
        const report = await vigil.coverage.ofActor(flags.actor);
        if (format === 'json' && flags.output === undefined) printJson(report);
        else
          await emit(
            format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderActorCoverage(report),
            flags.output,
          );
      }),
    );
}
