import { Writable } from 'node:stream';
import type { DestinationStream, Logger } from 'pino';
import type pretty from 'pino-pretty';
import { VigilError } from '../errors.ts';
import { lazyRequire } from '../lazy-require.ts';
import { pinoModule, redactedPaths } from '../log.ts';

/** pino-pretty, loaded by the first readable logger. */
const prettyModule = lazyRequire<typeof pretty>('pino-pretty');

/** How log lines look: `pretty` (local time, level, message, key fields) or one JSON object a line. */
export type LogFormat = 'pretty' | 'json';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A `--log-level` value, checked: USAGE_INVALID naming the levels for anything else. */
export function logLevelFlag(raw: string): string {
  if ((logLevels as readonly string[]).includes(raw)) return raw;
  throw new VigilError('USAGE_INVALID', `--log-level must be one of ${logLevels.join(', ')}, not '${raw}'.`);
}

/** `--log-format` as given, else pretty on a terminal and JSON otherwise. USAGE_INVALID for other values. */
export function logFormatOf(
  flag: string | undefined,
  stream: NodeJS.WriteStream = process.stderr,
): LogFormat {
  if (flag === undefined) return stream.isTTY ? 'pretty' : 'json';
  if (flag === 'pretty' || flag === 'json') return flag;
  throw new VigilError('USAGE_INVALID', `--log-format must be pretty or json, not '${flag}'.`);
}

const ownKeys = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

/** `message key=value key=value`: a log line's message and its fields, as people scan them. */
function withFields(log: Record<string, unknown>, messageKey: string): string {
  const fields = Object.entries(log)
    .filter(([key]) => !ownKeys.has(key) && key !== messageKey)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return [String(log[messageKey] ?? ''), ...fields].join(' ');
}

/** Readable lines: `[10:42:03] WARN: message key=value`, local time, colours only on a terminal. */
function prettyStream(destination: NodeJS.WritableStream, colorize: boolean): DestinationStream {
  return prettyModule()({
    destination,
    colorize,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname',
    messageFormat: withFields,
    hideObject: true,
    sync: true,
  });
}

/**
 * The CLI's logger on stderr (stdout is for command output), secrets redacted like every
 * Vigil logger. `write`, when given, receives each line instead (a progress display prints
 * lines above its bar through it).
 */
export function cliLogger(options: {
  level: string;
  format: LogFormat;
  write?: (line: string) => void;
}): Logger {
  const { write } = options;
  const destination: NodeJS.WritableStream =
    write === undefined
      ? process.stderr
      : new Writable({
          write(chunk: Buffer | string, _encoding, done) {
            write(String(chunk).replace(/\n$/, ''));
            done();
          },
        });
  const stream =
    options.format === 'pretty'
      ? prettyStream(destination, process.stderr.isTTY === true)
      : (destination as DestinationStream);
  return pinoModule().pino(
    { level: options.level, redact: { paths: redactedPaths, censor: '[redacted]' } },
    stream,
  );
}
