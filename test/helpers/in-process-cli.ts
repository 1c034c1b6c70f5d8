import { main } from '../../src/cli/program.ts';
import type { CliResult } from './cli.ts';

type Write = typeof process.stdout.write;

/**
 * Runs `vigil <args>` inside the test process, as `bin/vigil.js` would but without a process
 * start: `env` replaces process.env for the run, stdout and stderr are captured, and the exit
 * code is what the program set. Use a spawned process (`runCli`) where stdin or signals matter.
 */
export async function runInProcess(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const saved = { env: process.env, exitCode: process.exitCode };
  const out = { stdout: '', stderr: '' };
  const capture = (stream: 'stdout' | 'stderr'): Write =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      out[stream] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as Write;
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  process.env = { ...env };
  process.exitCode = undefined;
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  try {
    await main(['node', 'vigil', ...args]);
    return { code: typeof process.exitCode === 'number' ? process.exitCode : 0, ...out };
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
    process.env = saved.env;
    process.exitCode = saved.exitCode;
  }
}
