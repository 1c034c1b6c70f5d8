import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** Peak and current RSS of a live process, from /proc (Linux); zeros once it has exited. */
export function procMemory(pid: number): { peak: number; current: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
    return { peak: kb('VmHWM'), current: kb('VmRSS') };
  } catch {
    return { peak: 0, current: 0 };
  }
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Starts `vigil <args>` and resolves with its first stdout line (the simulators print their credentials). */
export async function startVigil(
  args: string[],
): Promise<{ child: ChildProcess; firstLine: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['bin/vigil.js', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const firstLine = await new Promise<string>((resolve) => lines.once('line', resolve));
  return {
    child,
    firstLine,
    stop: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/**
 * Runs `vigil <args>` to completion, sampling its peak RSS from /proc while it runs;
 * resolves with stdout, the exit code and that peak.
 */
export function runVigil(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ stdout: string; code: number | null; peakRss: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/vigil.js', ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env,
    });
    let stdout = '';
    let peakRss = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, procMemory(child.pid ?? 0).peak);
    }, 50);
    child.once('exit', (code) => {
      clearInterval(sampler);
      resolve({ stdout, code, peakRss });
    });
  });
}
