import type { LevelWithSilent, Logger } from 'pino';
import { VigilError } from './errors.ts';
import { lazyRequire } from './lazy-require.ts';

/** pino, loaded by the first logger (commands that log nothing never load it). */
export const pinoModule = lazyRequire<typeof import('pino')>('pino');

/** Paths pino blanks in every log line, so that secrets never reach a log. */
export const redactedPaths = [
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
];

/** The levels a logger takes, most severe first. */
export const logLevels: readonly LevelWithSilent[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

/** `raw` as a log level; INPUT_INVALID naming `source` (the variable or flag) and the levels otherwise. */
export function parseLogLevel(raw: string, source: string): LevelWithSilent {
  const level = logLevels.find((candidate) => candidate === raw.trim().toLowerCase());
  if (level === undefined) {
    throw new VigilError('INPUT_INVALID', `${source} must be one of ${logLevels.join(', ')}, not '${raw}'.`);
  }
  return level;
}

/**
 * A JSON logger on stderr (stdout is reserved for command output) at `level`, read from
 * `source` (VIGIL_LOG_LEVEL unless a flag gave it); INPUT_INVALID for an unknown level.
 */
export function createLogger(
  level: string = process.env.VIGIL_LOG_LEVEL ?? 'info',
  source = 'VIGIL_LOG_LEVEL',
): Logger {
  const { pino } = pinoModule();
  return pino(
    { level: parseLogLevel(level, source), redact: { paths: redactedPaths, censor: '[redacted]' } },
    pino.destination(2),
  );
}
