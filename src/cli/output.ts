import { toVigilError, type VigilError } from '../errors.ts';

/** True when the user asked for machine-readable output anywhere on the command line. */
export function wantsJson(argv: readonly string[]): boolean {
  return argv.includes('--json');
}

/** Prints a value as one JSON document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** The exit status of a command stopped by Ctrl-C or SIGTERM (128 + SIGINT), as shells expect. */
const SIGNAL_EXIT_CODE = 130;

function interruptedBySignal(error: VigilError): boolean {
  return error.code === 'SYNC_INTERRUPTED' && typeof error.details.signal === 'string';
}

/**
 * Reports a failure and returns the exit code to use. Human form: one line on stderr,
 * `error CODE: message (hint)`. JSON form (`--json`): `{"error":{code,message,hint}}` on stdout,
 * so that scripts reading stdout always get a document. A sync stopped by a signal exits 130.
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
  return interruptedBySignal(coded) ? SIGNAL_EXIT_CODE : coded.exitCode;
}
