import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilError } from '../errors.ts';
import { openStore } from '../store/index.ts';
import type { GraphStore } from '../store/types.ts';
import { describeRun } from './runs.ts';

describe('describeRun resolves a run id prefix as git does', () => {
  let dir: string;
  let store: GraphStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-runs-'));
    const ids = ['abc10000-run', 'abc20000-run', 'def30000-run'];
    store = await openStore(join(dir, 'vigil.db'), { newRunId: () => ids.shift() ?? 'none' });
    for (const at of ['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z']) {
      const runId = await store.createRun('ts-prod', at);
      await store.finishRun(runId, 'success', at, {});
    }
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const registry = { find: async () => undefined } as unknown as Parameters<
    typeof describeRun
  >[0]['registry'];
  const failure = (reference: string) =>
    describeRun({ store, registry }, reference).then(
      () => {
        throw new Error('expected a failure');
      },
      (error: unknown) => error as VigilError,
    );

  it('finds the one run a unique prefix names', async () => {
    expect((await describeRun({ store, registry }, 'def')).id).toBe('def30000-run');
  });

  it('lists the candidates of an ambiguous prefix, and says NOT_FOUND for none', async () => {
    const ambiguous = await failure('abc');
    expect(ambiguous.code).toBe('INPUT_INVALID');
    expect(ambiguous.message).toBe("2 sync runs have ids starting with 'abc'.");
    expect(ambiguous.hint).toMatch(/^Give more of the id: abc\d0000-run \(2026-01-0\dT.*\), abc\d0000-run /);
    expect((await failure('xyz')).code).toBe('NOT_FOUND');
  });
});
