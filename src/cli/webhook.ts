import type { Command } from '@commander-js/extra-typings';
import { VigilError } from '../errors.ts';
import { dbOption, withApp } from './app.ts';
import { printJson } from './output.ts';

const threatStackSettings = 'Threat Stack (Settings > Integrations > Webhook API)';

/** The public base URL: the flag, else VIGIL_PUBLIC_URL; CONFIG_INVALID when neither is set. */
function publicUrlOf(flag: string | undefined): string {
  const url = flag ?? process.env.VIGIL_PUBLIC_URL;
  if (url === undefined || url.trim() === '') {
    throw new VigilError('CONFIG_INVALID', 'The public URL of this Vigil server is not known.', {
      hint: 'Pass --public-url https://vigil.example.com (the base URL Threat Stack reaches `vigil serve` at), or set VIGIL_PUBLIC_URL.',
    });
  }
  return url.trim();
}

/**
 * `vigil integrations webhook NAME [--rotate] [--public-url URL] [--json]`: prints the URL to paste
 * into Threat Stack for a Threat Stack integration — its webhook secret is in that URL and nowhere
 * else; warns on stderr when the URL is not HTTPS (Threat Stack posts only to HTTPS URLs).
 * `--rotate` replaces the secret: the old URL stops working at once.
 */
export function registerWebhookCommand(program: Command): void {
  const integrations = program.commands.find((command) => command.name() === 'integrations');
  if (integrations === undefined) throw new Error('the integrations command must be registered first');
  integrations
    .command('webhook')
    .description(`print the webhook URL of a Threat Stack integration, to paste into ${threatStackSettings}`)
    .argument('<name>', 'integration name or id')
    .option('--rotate', 'replace the secret in the URL (the old URL stops working at once)')
    .option(
      '--public-url <url>',
      'the base URL Threat Stack reaches `vigil serve` at (default: VIGIL_PUBLIC_URL)',
    )
    .option('--json', 'print {"integration","url","https","createdAt","rotated"} as JSON')
    .option(...dbOption)
    .action(async (name, flags) => {
      const publicUrl = publicUrlOf(flags.publicUrl);
      const target = await withApp(flags, (vigil) =>
        vigil.webhooks.target(name, publicUrl, { rotate: flags.rotate === true }),
      );
      if (!target.https) {
        process.stderr.write(
          `Warning: ${publicUrl} is not HTTPS; Threat Stack posts only to HTTPS URLs. Serve HTTPS (--tls-cert/--tls-key) or put a TLS proxy in front.\n`,
        );
      }
      if (target.rotated) {
        process.stderr.write(
          `The webhook secret of ${target.integration} was replaced: the old URL stopped working.\n`,
        );
      }
      if (flags.json === true) {
        printJson(target);
        return;
      }
      process.stdout.write(`Paste this URL into ${threatStackSettings}:\n${target.url}\n`);
    });
}
