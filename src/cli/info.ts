import type { Command } from '@commander-js/extra-typings';
import { describeSettings } from '../app/settings.ts';
import { dbOption, settingsOf } from './app.ts';
import { printJson } from './output.ts';

/** `vigil info`: where Vigil keeps its state (nothing is created). */
export function registerInfoCommand(program: Command): void {
  program
    .command('info')
    .description(
      'Where Vigil keeps its state: the home, the database, the secret key and the ATT&CK catalogue',
    )
    .option(...dbOption)
    .option('--json', 'print as JSON')
    .action((flags) => {
      const info = describeSettings(settingsOf(flags));
      if (flags.json) {
        printJson(info);
        return;
      }
      const from = { '--db': ' (--db)', VIGIL_DB: ' (VIGIL_DB)', home: '' }[info.databaseFrom];
      const lines = [
        `home             ${info.home}`,
        `database         ${info.database}${from}`,
        ...(info.pgSchema === null ? [] : [`schema           ${info.pgSchema}`]),
        `secret key       ${info.secretKey}`,
        `ATT&CK catalogue ${info.attackCatalogue}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
