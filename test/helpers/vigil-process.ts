import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { repoRoot, testHome } from './cli.ts';

const vigilBin = join(repoRoot, 'bin', 'vigil.js');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** One `vigil` process, with everything it wrote to stdout and stderr. */
export class Vigil {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly closed: Promise<unknown>;

  constructor(args: readonly string[]) {
    this.child = spawn(process.execPath, [vigilBin, ...args], {
      cwd: repoRoot,
      env: { ...process.env, VIGIL_HOME: process.env.VIGIL_HOME || testHome },
    });
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
    });
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    this.closed = once(this.child, 'close');
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the first stdout line as soon as it arrives; rejects if the process ends first. */
  firstLine(): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const end = this.stdout.indexOf('\n');
        if (end === -1) return;
        this.child.stdout.off('data', check);
        resolve(this.stdout.slice(0, end));
      };
      this.child.stdout.on('data', check);
      check();
      void this.exited.then(({ code }) =>
        reject(new Error(`vigil exited (${code}) before printing a line; stderr: ${this.stderr}`)),
      );
    });
  }

  /** Waits for the process to end on its own (and for its output to be complete). */
  async done(): Promise<Exit> {
    const { code, signal } = await this.exited;
    await this.closed;
    return { code, signal, stdout: this.stdout, stderr: this.stderr };
  }

  /** Sends a signal and waits for the 'exit' event. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit> {
    if (this.running) this.child.kill(signal);
    return this.done();
  }
}

/** Runs a command that is expected to end on its own (errors, --help). */
export function run(args: readonly string[]): Promise<Exit> {
  return new Vigil(args).done();
}
