import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSettings } from '../../src/app/settings.ts';
import { openVigil } from '../../src/app/vigil.ts';
import { loadAttackCatalogue } from '../../src/attack/catalogue.ts';
import { ThreatConnectClient } from '../../src/connectors/threatconnect/client.ts';
import { threatConnectSteps } from '../../src/connectors/threatconnect/steps.ts';
import { startThreatConnectSimulator } from '../../src/simulators/threatconnect/server.ts';
import { openStore } from '../../src/store/index.ts';
import { runSync } from '../../src/sync/engine.ts';
import { FakeClock } from '../helpers/threatstack.ts';

const disposers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const dispose of disposers.splice(0).reverse()) await dispose();
});

/** `monitors add --actor`: the techniques of an actor synced from the ThreatConnect simulator. */
describe('a monitor of a threat actor', () => {
  it("takes the actor's techniques (its tags and its threats') by its name; NOT_FOUND for an unknown actor", async () => {
    const clock = new FakeClock(1_764_000_000_000);
    const sim = await startThreatConnectSimulator(
      { owners: 1, adversaries: 2, threatsPerAdversary: 2 },
      { now: clock.now },
    );
    disposers.push(() => sim.close());
    const home = await mkdtemp(join(tmpdir(), 'vigil-monitor-actor-'));
    disposers.push(() => rm(home, { recursive: true, force: true }));
    const settings = parseSettings({
      env: { VIGIL_HOME: home, VIGIL_SECRET_KEY: randomBytes(32).toString('base64') },
    });
    const vigil = await openVigil(settings);
    disposers.push(() => vigil.close());
    const store = await openStore(settings.database);
    disposers.push(() => store.close());
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
      store,
      integrationId: `threatconnect:${host}`,
      steps: threatConnectSteps({ host, catalogue: loadAttackCatalogue() }),
      client,
      now: clock.now,
    });
    await client.close();
    await vigil.integrations.add(
      {
        kind: 'threatstack',
        name: 'ts',
        apiKey: 'key',
        fields: { host: 'ts.invalid', userId: 'u', orgId: 'o', orgName: 'Org' },
      },
      { firstSync: false },
    );
    const [actor] = (await vigil.coverage.actors()).filter((a) => a.techniqueCount > 0);
    expect(actor).toBeDefined();
    const details = await vigil.coverage.actor(actor!.name);
    const monitor = await vigil.monitors.add({
      name: 'apt',
      integration: 'ts',
      actor: actor!.name,
      host: 'web-01',
      every: '1d',
      expect: 'either',
    });
    expect(monitor.actor).toEqual({ key: actor!.key, name: actor!.name });
    expect(monitor.techniques).toEqual(details.techniques.map((t) => t.id));
    expect(monitor.techniques).toHaveLength(actor!.techniqueCount);
    const unknown = vigil.monitors.add({
      name: 'x',
      integration: 'ts',
      actor: 'No Such Actor',
      host: 'h',
      every: '1d',
      expect: 'either',
    });
    await expect(unknown).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
