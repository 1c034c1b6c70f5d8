import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

type MemoryFigures = Record<'rss' | 'heapUsed' | 'heapTotal' | 'external' | 'arrayBuffers', number>;

/** What bench/memory-probe.mjs measured inside a process: its peaks, overall and per phase. */
export interface MemoryProfile {
  peak: MemoryFigures;
  phases: Array<{ phase: string; peak: MemoryFigures }>;
}

const probe = join(import.meta.dirname, 'memory-probe.mjs');

/**
 * `runVigil` with bench/memory-probe.mjs preloaded into that process (and only it): resolves
 * also with the probe's breakdown of the process's memory, overall and per sync step.
 */
export async function runVigilProfiled(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ stdout: string; code: number | null; peakRss: number; memory: MemoryProfile }> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-probe-'));
  const out = join(dir, 'memory.json');
  try {
    const nodeOptions = [env.NODE_OPTIONS, `--import ${probe}`].filter(Boolean).join(' ');
    const result = await runVigil(args, { ...env, NODE_OPTIONS: nodeOptions, VIGIL_MEMORY_PROBE_OUT: out });
    const memory = JSON.parse(readFileSync(out, 'utf8')) as MemoryProfile;
    return { ...result, peakRss: Math.max(result.peakRss, memory.peak.rss), memory };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line per figure: peak RSS, heap and native buffers overall, then the peak RSS / heap of each phase. */
export function formatMemory(memory: MemoryProfile, indent: string): string {
  const { peak } = memory;
  const overall = `${indent}memory: peak RSS ${mb(peak.rss)} · heapUsed ${mb(peak.heapUsed)} · heapTotal ${mb(peak.heapTotal)} · external ${mb(peak.external)} (arrayBuffers ${mb(peak.arrayBuffers)})\n`;
  const phases = memory.phases.map((p) => `${p.phase} ${mb(p.peak.rss)}/${mb(p.peak.heapUsed)}`).join(' · ');
  return `${overall}${indent}per phase (peak RSS/heapUsed): ${phases}\n`;
}
