import { type Logger, pino } from 'pino';

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

/** A JSON logger on stderr (stdout is reserved for command output). */
export function createLogger(level: string = process.env.VIGIL_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, redact: { paths: redactedPaths, censor: '[redacted]' } }, pino.destination(2));
}
