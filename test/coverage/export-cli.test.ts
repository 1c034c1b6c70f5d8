import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAttackCatalogue } from '../../src/attack/catalogue.ts';
import { ThreatConnectClient } from '../../src/connectors/threatconnect/client.ts';
import { threatConnectSteps } from '../../src/connectors/threatconnect/steps.ts';
import { startThreatConnectSimulator } from '../../src/simulators/threatconnect/server.ts';
import { runSync } from '../../src/sync/engine.ts';
import { runCli } from '../helpers/cli.ts';
import { tempStore } from '../helpers/sync.ts';
import { admin, FakeClock } from '../helpers/threatstack.ts';
import { compileLayerSchema, compileStixBundleSchema } from './schemas.ts';

/** A small ThreatConnect simulator synced into a SQLite file; the actor with the most techniques. */
async function syncedGraph() {
  const clock = new FakeClock(1_764_000_000_000);
  const sim = await startThreatConnectSimulator(
    { owners: 1, adversaries: 2, threatsPerAdversary: 2 },
    { now: clock.now },
  );
  const graph = await tempStore();
  try {
    const host = new URL(sim.url).hostname;
    const client = new ThreatConnectClient(
      {
        baseUrl: sim.url,
        apiRoot: sim.apiRoot,
        accessId: sim.credentials.accessId,
        apiKey: sim.credentials.apiKey,
      },
      { now: clock.now, sleep: async (ms) => clock.advance(ms) },
    );
    await runSync({
      store: graph.store,
      integrationId: `threatconnect:${host}`,
      steps: threatConnectSteps({ host, catalogue: loadAttackCatalogue() }),
      client,
      now: clock.now,
    });
    await client.close();
    const stats = await admin<{ techniques: { perAdversary: Record<string, string[]> } }>(
      sim.url,
      'GET',
      '/_sim/stats',
    );
    const [actorId, techniques] = Object.entries(stats.json.techniques.perAdversary).sort(
      ([, a], [, b]) => b.length - a.length,
    )[0]!;
    return { graph, actorId, techniques };
  } finally {
    await sim.close();
  }
}

describe('vigil export (real process, synced from the ThreatConnect simulator)', () => {
  let synced: Awaited<ReturnType<typeof syncedGraph>>;
  let out: string;
  beforeAll(async () => {
    synced = await syncedGraph();
    expect(synced.techniques.length).toBeGreaterThan(3);
    out = mkdtempSync(join(tmpdir(), 'vigil-export-'));
  });
  afterAll(async () => {
    await synced.graph.dispose();
    rmSync(out, { recursive: true, force: true });
  });

  it('writes a valid Navigator layer with every technique of the actor untested', async () => {
    const file = join(out, 'layers', 'actor.json');
    const result = await runCli([
      'export',
      'navigator',
      '--actor',
      synced.actorId,
      '-o',
      file,
      '--db',
      synced.graph.path,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^Wrote ATT&CK Navigator layer for .+: \d+ techniques, 0 with a verdict\.\n$/,
    );
    const layer = JSON.parse(readFileSync(file, 'utf8'));
    const validate = compileLayerSchema();
    expect(validate(layer) ? [] : validate.errors).toEqual([]);
    const ids = new Set(layer.techniques.map((t: { techniqueID: string }) => t.techniqueID));
    expect([...ids].sort()).toEqual(synced.techniques);
    expect(layer.techniques.every((t: { comment: string }) => t.comment.startsWith('untested'))).toBe(true);
    expect(readdirSync(join(out, 'layers'))).toEqual(['actor.json']);
  });

  it('writes a valid STIX bundle stamped deterministically, and the same bytes again', async () => {
    const file = join(out, 'bundle.json');
    const args = [
      'export',
      'stix',
      '--actor',
      synced.actorId,
      '-o',
      file,
      '--db',
      synced.graph.path,
      '--json',
    ];
    const first = await runCli(args);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      format: 'STIX 2.1 bundle',
      output: file,
      techniques: synced.techniques.length,
      byVerdict: { untested: synced.techniques.length },
    });
    const bundle = readFileSync(file, 'utf8');
    const validate = compileStixBundleSchema();
    expect(validate(JSON.parse(bundle)) ? [] : validate.errors?.slice(0, 3)).toEqual([]);
    expect((await runCli(args)).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(bundle);
  });

  it('names an unknown actor and a bad timestamp with coded errors', async () => {
    const file = join(out, 'never.json');
    const unknown = await runCli([
      'export',
      'stix',
      '--actor',
      'No Such Actor',
      '-o',
      file,
      '--db',
      synced.graph.path,
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error NOT_FOUND: No threat actor 'No Such Actor'/);
    const badTime = await runCli([
      ...['export', 'stix', '--actor', synced.actorId, '-o', file, '--db', synced.graph.path],
      ...['--timestamp', 'yesterday'],
    ]);
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toMatch(/^error INPUT_INVALID: The export timestamp is not an ISO 8601 instant/);
    expect(readdirSync(out)).not.toContain('never.json');
  });
});
