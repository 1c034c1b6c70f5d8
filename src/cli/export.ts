import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { loadAttackCatalogue } from '../attack/catalogue.ts';
import { rollUpCoverage } from '../coverage/model.ts';
import { toNavigatorLayer } from '../coverage/navigator.ts';
import { readActorCoverage } from '../coverage/read-coverage.ts';
import { toStixBundle } from '../coverage/stix.ts';
import { VigilError } from '../errors.ts';
import { openStore } from '../store/index.ts';
import { dbOption } from './integrations.ts';
import { printJson } from './output.ts';

/** Writes beside the final name, then renames, so a reader never sees half a file. FILE_WRITE_FAILED otherwise. */
async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temporary, text);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => {});
    throw new VigilError('FILE_WRITE_FAILED', `Cannot write ${path}: ${(error as Error).message}`, {
      hint: 'Choose another -o path, in a directory you can write to.',
    });
  }
}

async function coverageOf(db: string | undefined, actor: string) {
  const store = await openStore(db);
  try {
    return await readActorCoverage(store, actor);
  } finally {
    await store.close();
  }
}

type ExportFlags = { actor: string; output: string; db?: string; json?: true };

/** Writes the export and reports what it holds: one line, or `--json`. */
async function finishExport(
  flags: ExportFlags,
  format: string,
  document: unknown,
  coverage: Awaited<ReturnType<typeof coverageOf>>['coverage'],
) {
  const output = resolve(flags.output);
  await writeFileAtomically(output, `${JSON.stringify(document, null, 2)}\n`);
  const { techniques, byVerdict } = rollUpCoverage(coverage);
  if (flags.json) {
    printJson({ actor: coverage.actor, format, output, techniques, byVerdict });
    return;
  }
  const tested = techniques - byVerdict.untested;
  process.stdout.write(
    `Wrote ${format} for ${coverage.actor.name} to ${output}: ${techniques} techniques, ${tested} with a verdict.\n`,
  );
}

const actorOption = ['--actor <name|id>', 'the threat actor’s ThreatConnect id or name'] as const;
const outputOption = ['-o, --output <file>', 'the file to write (replaced atomically)'] as const;

/**
 * `vigil export navigator|stix --actor NAME -o FILE`: an actor's techniques with their latest
 * verdicts as an ATT&CK Navigator layer (4.5) or a STIX 2.1 bundle. Until validation records
 * verdicts, every technique is exported as untested.
 */
export function registerExportCommands(program: Command): void {
  const exports = program.command('export').description('Threat-informed coverage for other tools');
  exports
    .command('navigator')
    .description('An actor’s techniques, coloured by verdict, as an ATT&CK Navigator layer (format 4.5)')
    .requiredOption(...actorOption)
    .requiredOption(...outputOption)
    .option(...dbOption)
    .option('--json', 'print the summary as JSON')
    .action(async (flags) => {
      const { coverage } = await coverageOf(flags.db, flags.actor);
      const layer = toNavigatorLayer(coverage, { attackVersion: loadAttackCatalogue().version });
      await finishExport(flags, 'ATT&CK Navigator layer', layer, coverage);
    });
  exports
    .command('stix')
    .description('An actor, its techniques and their verdicts as a STIX 2.1 bundle with stable ids')
    .requiredOption(...actorOption)
    .requiredOption(...outputOption)
    .option('--timestamp <instant>', 'created/modified of the objects (default: the actor’s last sync)')
    .option(...dbOption)
    .option('--json', 'print the summary as JSON')
    .action(async (flags) => {
      const { coverage, lastSyncAt } = await coverageOf(flags.db, flags.actor);
      const timestamp = flags.timestamp ?? lastSyncAt;
      if (timestamp === null) {
        throw new VigilError(
          'INPUT_INVALID',
          `${coverage.actor.name} has no sync time to stamp the bundle with.`,
          {
            hint: 'Give one with --timestamp, e.g. --timestamp 2026-01-31T12:00:00Z.',
          },
        );
      }
      await finishExport(flags, 'STIX 2.1 bundle', toStixBundle(coverage, { timestamp }), coverage);
    });
}
