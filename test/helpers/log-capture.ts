import { type Logger, pino } from 'pino';

/** A log line as pino writes it. */
export interface CapturedLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A pino logger (level debug) whose lines the test reads back instead of stderr. */
export function captureLogger(): { logger: Logger; lines: CapturedLine[] } {
  const lines: CapturedLine[] = [];
  const logger = pino(
    { level: 'debug' },
    {
      write(line: string) {
        lines.push(JSON.parse(line) as CapturedLine);
      },
    },
  );
  return { logger, lines };
}
