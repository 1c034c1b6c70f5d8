import { z } from 'zod';
import { VigilError } from '../../errors.ts';
import { Random } from './random.ts';

/** What can go wrong with one response. */
export type FaultKind = 'status500' | 'status429' | 'reset' | 'slow' | 'truncate';
export const faultKinds: readonly FaultKind[] = ['status500', 'status429', 'reset', 'slow', 'truncate'];

/** Probability of each fault per request (they are exclusive: at most one per request). */
export interface FaultConfig {
  status500: number;
  status429: number;
  reset: number;
  slow: { probability: number; delayMs: number };
  truncate: number;
  /** When set, only requests whose path starts with this prefix are faulted (to fail one sync step). */
  pathPrefix?: string;
}

export const noFaults: FaultConfig = {
  status500: 0,
  status429: 0,
  reset: 0,
  slow: { probability: 0, delayMs: 0 },
  truncate: 0,
};

const probability = z.number().min(0).max(1);

/** The admin API's JSON form of a fault configuration; omitted kinds are 0. */
export const faultConfigSchema = z
  .object({
    status500: probability.default(0),
    status429: probability.default(0),
    reset: probability.default(0),
    slow: z
      .object({ probability, delayMs: z.number().int().min(0).max(600_000) })
      .default({ probability: 0, delayMs: 0 }),
    truncate: probability.default(0),
    pathPrefix: z.string().startsWith('/').optional(),
  })
  .strict()
  .refine((config) => totalProbability(config) <= 1, 'fault probabilities must add up to at most 1');

function totalProbability(config: FaultConfig): number {
  return config.status500 + config.status429 + config.reset + config.slow.probability + config.truncate;
}

const specHint =
  "Use comma-separated kind=probability pairs, e.g. 'status500=0.05,status429=0.02,reset=0.01,slow=0.05:2000,truncate=0.01' (slow takes probability:milliseconds).";

/**
 * Parses a `--faults` string such as `status500=0.05,slow=0.05:2000`. An empty string means no
 * faults. Throws `FAULT_SPEC_INVALID` naming the part that is wrong.
 */
export function parseFaultSpec(spec: string): FaultConfig {
  const config: FaultConfig = structuredClone(noFaults);
  const seen = new Set<string>();
  for (const part of spec.split(',').map((p) => p.trim())) {
    if (part === '') continue;
    const match = /^([a-z0-9]+)=([0-9.]+)(?::([0-9]+))?$/.exec(part);
    const kind = match?.[1] as FaultKind | undefined;
    if (!match || kind === undefined || !faultKinds.includes(kind)) {
      throw new VigilError('FAULT_SPEC_INVALID', `Fault '${part}' is not one of ${faultKinds.join(', ')}.`, {
        hint: specHint,
      });
    }
    if (seen.has(kind)) throw new VigilError('FAULT_SPEC_INVALID', `Fault '${kind}' is given twice.`);
    seen.add(kind);
    const p = Number(match[2]);
    if (!Number.isFinite(p) || p < 0 || p > 1) {
      throw new VigilError('FAULT_SPEC_INVALID', `Fault '${part}': probability must be between 0 and 1.`, {
        hint: specHint,
      });
    }
    if (kind === 'slow') {
      if (match[3] === undefined) {
        throw new VigilError('FAULT_SPEC_INVALID', `Fault '${part}': slow needs a delay, as slow=0.05:2000.`);
      }
      config.slow = { probability: p, delayMs: Number(match[3]) };
    } else if (match[3] !== undefined) {
      throw new VigilError('FAULT_SPEC_INVALID', `Fault '${part}': only slow takes a ':milliseconds' part.`);
    } else {
      config[kind] = p;
    }
  }
  if (totalProbability(config) > 1) {
    throw new VigilError('FAULT_SPEC_INVALID', 'Fault probabilities add up to more than 1.', {
      hint: specHint,
    });
  }
  return config;
}

/** Decides, per request, which fault (if any) to inject, and counts what it injected. */
export class FaultInjector {
  private config: FaultConfig;
  private readonly random: Random;
  private readonly counts: Record<FaultKind, number> = {
    status500: 0,
    status429: 0,
    reset: 0,
    slow: 0,
    truncate: 0,
  };

  constructor(config: FaultConfig, seed: number) {
    this.config = config;
    this.random = new Random(seed ^ 0x5eed);
  }

  get current(): FaultConfig {
    return structuredClone(this.config);
  }

  get injected(): Record<FaultKind, number> {
    return { ...this.counts };
  }

  configure(config: FaultConfig): void {
    this.config = config;
  }

  /** One roll per request to `path`; returns the fault to inject or null. */
  decide(path: string): FaultKind | null {
    if (this.config.pathPrefix !== undefined && !path.startsWith(this.config.pathPrefix)) return null;
    const roll = this.random.next();
    let threshold = 0;
    for (const kind of faultKinds) {
      threshold += kind === 'slow' ? this.config.slow.probability : this.config[kind];
      if (roll < threshold) {
        this.counts[kind]++;
        return kind;
      }
    }
    return null;
  }
}
