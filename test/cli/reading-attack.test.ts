import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relationship } from '../../src/graph/keys.ts';
import type { Entity } from '../../src/graph/types.ts';
import { graphEntities } from '../../src/graph/vocabulary.ts';
import { openStore } from '../../src/store/index.ts';
import { runInProcess } from '../helpers/in-process-cli.ts';

const at = '2026-11-30T10:00:00.000Z';

function adversary(id: number, name: string): Entity {
  const { type, class: _class, key } = graphEntities.threatconnectAdversary;
  return { _key: key(id), _type: type, _class, displayName: name, properties: { id, name } };
}

function technique(id: string): Entity {
  const { type, class: _class, key } = graphEntities.mitreAttackTechnique;
  return { _key: key(id), _type: type, _class, displayName: id, properties: { id } };
}

/** `vigil attack show` lists the synced threat actors that use the technique or a sub-technique of it. */
describe('vigil attack show: threat actors', () => {
  let dir: string;
  let db: string;
  const env = () => {
    const vars: NodeJS.ProcessEnv = { ...process.env, VIGIL_HOME: dir };
    delete vars.VIGIL_DB;
    delete vars.VIGIL_ATTACK_CATALOGUE;
    return vars;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-reading-attack-'));
    db = join(dir, 'graph.db');
    const store = await openStore(db);
    const actors = [adversary(1, 'APT Zeta'), adversary(2, 'APT Alpha'), adversary(3, 'FIN Other')];
    const techniques = [technique('T1566'), technique('T1566.001'), technique('T1003')];
    const [zeta, alpha, other] = actors as [Entity, Entity, Entity];
    const [phishing, attachment, dumping] = techniques as [Entity, Entity, Entity];
    const run = await store.createRun('tc1', at);
    await store.writeEntities(run, 'tc1', [...actors, ...techniques], at);
    await store.writeRelationships(
      run,
      'tc1',
      [
        relationship(zeta, 'USES', phishing),
        relationship(alpha, 'USES', attachment),
        relationship(other, 'USES', dumping),
      ],
      at,
    );
    await store.close();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names the actors of the technique and of its sub-techniques, by name', async () => {
    const shown = await runInProcess(['attack', 'show', 'T1566', '--db', db, '--json'], env());
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(shown.stdout).actors).toEqual([
      { key: 'threatconnect:adversary:2', name: 'APT Alpha' },
      { key: 'threatconnect:adversary:1', name: 'APT Zeta' },
    ]);
    const sub = await runInProcess(['attack', 'show', 'T1566.001', '--db', db], env());
    expect(sub.stdout).toMatch(/threat actors:\s*\n {4}APT Alpha\n$/);
  });

  it('says when no synced actor uses it', async () => {
    const shown = await runInProcess(['attack', 'show', 'T1059', '--db', db], env());
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('threat actors:   none synced');
  });
});
