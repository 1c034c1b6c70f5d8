import { describe, expect, it } from 'vitest';
import { VigilError } from '../../errors.ts';
import {
  type FaultConfig,
  FaultInjector,
  type FaultKind,
  faultConfigSchema,
  faultKinds,
  noFaults,
  parseFaultSpec,
} from './faults.ts';

/** The coded error `parse` throws (fails the test when it does not throw one). */
function specError(spec: string): VigilError {
  try {
    parseFaultSpec(spec);
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error(`parseFaultSpec('${spec}') did not throw`);
}

function config(overrides: Partial<FaultConfig>): FaultConfig {
  return { ...structuredClone(noFaults), ...overrides };
}

function decisions(injector: FaultInjector, count: number): (FaultKind | null)[] {
  return Array.from({ length: count }, () => injector.decide('/v2/agents'));
}

describe('parseFaultSpec', () => {
  it("parses the issue's example", () => {
    expect(parseFaultSpec('status500=0.05,status429=0.02,reset=0.01,slow=0.05:2000,truncate=0.01')).toEqual({
      status500: 0.05,
      status429: 0.02,
      reset: 0.01,
      slow: { probability: 0.05, delayMs: 2000 },
      truncate: 0.01,
    });
  });

  it.each(['', '   ', ',', ' , '])('%j means no faults', (spec) => {
    expect(parseFaultSpec(spec)).toEqual(noFaults);
  });

  it('ignores spaces around parts and omitted kinds stay 0', () => {
    expect(parseFaultSpec(' status429=0.5 ,  slow=0.25:100 ')).toEqual(
      config({ status429: 0.5, slow: { probability: 0.25, delayMs: 100 } }),
    );
  });

  it('accepts probabilities 0 and 1 and a total of exactly 1', () => {
    expect(parseFaultSpec('reset=1')).toEqual(config({ reset: 1 }));
    expect(parseFaultSpec('truncate=0')).toEqual(noFaults);
    expect(parseFaultSpec('status500=0.5,status429=0.25,truncate=0.25')).toEqual(
      config({ status500: 0.5, status429: 0.25, truncate: 0.25 }),
    );
  });

  it('does not share state between calls (the default is not mutated)', () => {
    parseFaultSpec('status500=0.3,slow=0.1:50');
    expect(noFaults).toEqual({
      status500: 0,
      status429: 0,
      reset: 0,
      slow: { probability: 0, delayMs: 0 },
      truncate: 0,
    });
    expect(parseFaultSpec('')).toEqual(noFaults);
  });

  it.each([
    [
      'an unknown kind',
      'bogus=0.1',
      /'bogus=0\.1' is not one of status500, status429, reset, slow, truncate/,
    ],
    ['a part without =', 'status500', /'status500' is not one of/],
    ['a negative probability', 'status500=-0.1', /'status500=-0\.1'/],
    ['a kind given twice', 'reset=0.1,reset=0.2', /'reset' is given twice/],
    ['a probability above 1', 'status500=2', /probability must be between 0 and 1/],
    ['a malformed number', 'status500=0.1.2', /probability must be between 0 and 1/],
    ['slow without a delay', 'slow=0.1', /slow needs a delay/],
    ['a delay on another kind', 'status429=0.1:500', /only slow takes a ':milliseconds' part/],
    ['probabilities adding up to more than 1', 'status500=0.6,status429=0.3,slow=0.2:10', /more than 1/],
  ])('rejects %s with FAULT_SPEC_INVALID', (_name, spec, message) => {
    const error = specError(spec);
    expect(error.code).toBe('FAULT_SPEC_INVALID');
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(message);
  });

  it('the admin schema accepts what the parser produces, and rejects a total above 1', () => {
    const parsed = parseFaultSpec('status500=0.05,status429=0.02,reset=0.01,slow=0.05:2000,truncate=0.01');
    expect(faultConfigSchema.parse(parsed)).toEqual(parsed);
    expect(faultConfigSchema.parse({ reset: 0.5 })).toEqual(config({ reset: 0.5 }));
    expect(faultConfigSchema.safeParse({ status500: 0.7, truncate: 0.7 }).success).toBe(false);
    expect(faultConfigSchema.safeParse({ teapot: 0.1 }).success).toBe(false);
  });
});

describe('FaultInjector', () => {
  const mixed = parseFaultSpec('status500=0.1,status429=0.1,reset=0.1,slow=0.1:5,truncate=0.1');

  it('the same seed gives the same sequence of decisions; another seed another one', () => {
    const a = decisions(new FaultInjector(mixed, 7), 300);
    const b = decisions(new FaultInjector(mixed, 7), 300);
    const c = decisions(new FaultInjector(mixed, 8), 300);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    // Every kind and "no fault" occur in a mixed configuration.
    expect(new Set(a)).toEqual(new Set([...faultKinds, null]));
  });

  it('never injects anything without faults', () => {
    const injector = new FaultInjector(noFaults, 1);
    expect(decisions(injector, 500).every((d) => d === null)).toBe(true);
    expect(injector.injected).toEqual({ status500: 0, status429: 0, reset: 0, slow: 0, truncate: 0 });
  });

  it.each(faultKinds)('probability 1 for %s always injects %s', (kind) => {
    const all = kind === 'slow' ? config({ slow: { probability: 1, delayMs: 10 } }) : config({ [kind]: 1 });
    const injector = new FaultInjector(all, 3);
    expect(decisions(injector, 200).every((d) => d === kind)).toBe(true);
    expect(injector.injected[kind]).toBe(200);
  });

  it('counts exactly what it injected, and the frequencies follow the probabilities', () => {
    const injector = new FaultInjector(
      parseFaultSpec('status500=0.3,status429=0.1,slow=0.2:5,truncate=0.05'),
      11,
    );
    const made = decisions(injector, 10_000);
    const counted = Object.fromEntries(faultKinds.map((k) => [k, made.filter((d) => d === k).length]));
    expect(injector.injected).toEqual(counted);
    expect(injector.injected.reset).toBe(0);
    expect(injector.injected.status500 / 10_000).toBeCloseTo(0.3, 1);
    expect(injector.injected.status429 / 10_000).toBeCloseTo(0.1, 1);
    expect(injector.injected.slow / 10_000).toBeCloseTo(0.2, 1);
    expect(injector.injected.truncate / 10_000).toBeCloseTo(0.05, 1);
  });

  it('injected and current are copies', () => {
    const injector = new FaultInjector(config({ reset: 1 }), 1);
    injector.decide('/v2/agents');
    const counts = injector.injected;
    counts.reset = 99;
    expect(injector.injected.reset).toBe(1);
    const current = injector.current;
    current.slow.probability = 1;
    expect(injector.current.slow.probability).toBe(0);
  });

  it('configure() changes behaviour from the next decision on, keeping the counts', () => {
    const injector = new FaultInjector(config({ status500: 1 }), 5);
    expect(decisions(injector, 3)).toEqual(['status500', 'status500', 'status500']);
    injector.configure(config({ truncate: 1 }));
    expect(injector.current).toEqual(config({ truncate: 1 }));
    expect(decisions(injector, 2)).toEqual(['truncate', 'truncate']);
    injector.configure(noFaults);
    expect(decisions(injector, 50).every((d) => d === null)).toBe(true);
    expect(injector.injected).toEqual({ status500: 3, status429: 0, reset: 0, slow: 0, truncate: 2 });
  });
});

describe('FaultInjector path prefix', () => {
  it('faults only requests under the configured path prefix', () => {
    const injector = new FaultInjector({ ...noFaults, status500: 1, pathPrefix: '/v2/vulnerabilities' }, 7);
    expect(injector.decide('/v2/agents')).toBeNull();
    expect(injector.decide('/v2/vulnerabilities')).toBe('status500');
    expect(injector.decide('/v2/vulnerabilities/CVE-2020-1234/servers')).toBe('status500');
    expect(injector.injected.status500).toBe(2);
  });
});
