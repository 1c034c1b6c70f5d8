import type { Command } from '@commander-js/extra-typings';
import { numberFlag } from './simulate.ts';

/** Resolves on the first SIGINT or SIGTERM. */
function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

/** `vigil demo`: the whole loop on both simulators, in a fresh home, until Ctrl-C (see `runDemo`). */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'Run the whole loop on local simulators: sync both vendors, run a validation campaign for a threat actor, serve the UI (Ctrl-C stops everything)',
    )
    .option('--home <dir>', 'an empty or new directory for the demo’s data (default: a fresh temporary one)')
    .option('--port <port>', 'port of the UI and API; 0 picks a free one', '0')
    .option(
      '--actor <name|id>',
      'the threat actor of the campaign (default: the one with the most techniques)',
    )
    .action(async (flags) => {
      const port = numberFlag('--port', flags.port, { min: 0, max: 65535 });
      const { runDemo } = await import('./demo-run.ts');
      await runDemo({ home: flags.home, port, actor: flags.actor, stopped: untilStopSignal() });
    });
}
