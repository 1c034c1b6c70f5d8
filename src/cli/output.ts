import { toVigilError } from '../errors.ts';

/** True when the user asked for machine-readable output anywhere on the command line. */
export function wantsJson(argv: readonly string[]): boolean {
  return argv.includes('--json');
}

/** Prints a value as one JSON document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/**
 * Reports a failure and returns the exit code to use. Human form: one line on stderr,
 * `error CODE: message (hint)`. JSON form (`--json`): `{"error":{code,message,hint}}` on stdout,
 * so that scripts reading stdout always get a document.
 */
export function reportError(error: unknown, json: boolean): number {
  const coded = toVigilError(error);
  if (json) {
    printJson({ error: coded.toJSON() });
  } else {
    const hint = coded.hint === undefined ? '' : ` (${coded.hint})`;
    process.stderr.write(`error ${coded.code}: ${coded.message}${hint}\n`);
  }
  if (coded.code === 'INTERNAL_ERROR' && process.env.VIGIL_DEBUG) console.error(coded.cause);
  return coded.exitCode;
}
