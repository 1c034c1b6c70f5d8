import { type Command, Option } from '@commander-js/extra-typings';
import type { ApiTokenService, ApiTokenSummary } from '../app/tokens.ts';
import { apiTokenRoles } from '../app/tokens.ts';
import { dbOption, withApp } from './app.ts';
import { printJson } from './output.ts';
import { renderTable } from './table.ts';

/** Runs `work` with the token service of the command's database. */
function withTokens<T>(db: string | undefined, work: (tokens: ApiTokenService) => Promise<T>): Promise<T> {
  return withApp({ db }, (vigil) => work(vigil.tokens));
}

function printTokens(tokens: ApiTokenSummary[]): void {
  if (tokens.length === 0) {
    process.stdout.write('No API tokens. Create one with `vigil tokens create --name N --role viewer`.\n');
    return;
  }
  const columns = [
    { header: 'name', value: (t: ApiTokenSummary) => t.name },
    { header: 'role', value: (t: ApiTokenSummary) => t.role },
    { header: 'created', value: (t: ApiTokenSummary) => t.createdAt },
    { header: 'last used', value: (t: ApiTokenSummary) => t.lastUsedAt ?? 'never' },
    { header: 'revoked', value: (t: ApiTokenSummary) => t.revokedAt ?? '' },
  ];
  process.stdout.write(`${renderTable(columns, tokens)}\n`);
}

/** `vigil tokens create|list|revoke`: API tokens for `vigil serve` (the value is shown once, at creation). */
export function registerTokensCommands(program: Command): void {
  const tokens = program
    .command('tokens')
    .description('API tokens for the HTTP API (roles viewer < operator < admin)');

  tokens
    .command('create')
    .description('create a token; it is printed once on stdout and stored only as its hash')
    .requiredOption('--name <name>', 'who uses the token (unique, any case)')
    .addOption(
      new Option('--role <role>', 'what the token may do').choices(apiTokenRoles).makeOptionMandatory(),
    )
    .option(...dbOption)
    .option('--json', 'print {token, apiToken} as JSON')
    .action(async (flags) => {
      const created = await withTokens(flags.db, (service) =>
        service.create({ name: flags.name, role: flags.role }),
      );
      if (flags.json === true) {
        printJson({ token: created.token, apiToken: created.summary });
        return;
      }
      process.stderr.write(
        `Created ${created.summary.role} token '${created.summary.name}'. Copy it now: it is not shown again.\n`,
      );
      process.stdout.write(`${created.token}\n`);
    });

  tokens
    .command('list')
    .description('list tokens (never their values), revoked ones included')
    .option(...dbOption)
    .option('--json', 'print the tokens as JSON')
    .action(async (flags) => {
      const list = await withTokens(flags.db, (service) => service.list());
      if (flags.json === true) printJson(list);
      else printTokens(list);
    });

  tokens
    .command('revoke')
    .description('revoke a token by name; requests with it are refused from then on')
    .argument('<name>', 'the token name')
    .option(...dbOption)
    .option('--json', 'print the revoked token as JSON')
    .action(async (name, flags) => {
      const revoked = await withTokens(flags.db, (service) => service.revoke(name));
      if (flags.json === true) printJson(revoked);
      else process.stdout.write(`Revoked token '${revoked.name}' at ${revoked.revokedAt}.\n`);
    });
}
