import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relationship } from '../../src/graph/keys.ts';
import type { Entity } from '../../src/graph/types.ts';
import { openStore } from '../../src/store/index.ts';
import { runInProcess } from '../helpers/in-process-cli.ts';

const at = '2026-11-30T10:00:00.000Z';
const agent = (id: number): Entity => ({
  _key: `threatstack:agent:${id}`,
  _type: 'threatstack_agent',
  _class: 'HostAgent',
  displayName: `web-${id}`,
  properties: { status: 'online' },
});
const cve: Entity = {
  _key: 'cve-2024-1',
  _type: 'cve',
  _class: 'Vulnerability',
  displayName: 'CVE-2024-1',
  properties: {},
};

/** `vigil rules run` evaluates through the J1QL engine; `rules add` refuses a query that does not parse. */
describe('vigil rules run', () => {
  let dir: string;
  let db: string;
  const env = () => {
    const vars: NodeJS.ProcessEnv = { ...process.env, VIGIL_HOME: dir, VIGIL_LOG_LEVEL: 'silent' };
    delete vars.VIGIL_DB;
    return vars;
  };
  const vigil = (...args: string[]) => runInProcess([...args, '--db', db], env());

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-rules-run-'));
    db = join(dir, 'graph.db');
    const store = await openStore(db);
    const run = await store.createRun('ts1', at);
    const agents = [agent(1), agent(2), agent(3)];
    await store.writeEntities(run, 'ts1', [...agents, cve], at);
    await store.writeRelationships(
      run,
      'ts1',
      [
        relationship(agents[0] as Entity, 'IDENTIFIED', cve),
        relationship(agents[2] as Entity, 'IDENTIFIED', cve),
      ],
      at,
    );
    await store.close();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fires a `new` rule for the agents with a finding, then not again for the same rows', async () => {
    const query = 'FIND threatstack_agent THAT IDENTIFIED cve';
    const added = await vigil(
      'rules',
      'add',
      '--name',
      'vulnerable',
      '--query',
      query,
      '--when',
      'new',
      '--action',
      'log',
    );
    expect(added).toMatchObject({ code: 0 });

    const first = await vigil('rules', 'run', 'vulnerable');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(
      'Rule vulnerable fired: 2 row(s); alert open.\n  query0: web-1\n  query0: web-3\n',
    );

    const again = await vigil('rules', 'run', 'vulnerable', '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({
      rule: 'vulnerable',
      fired: false,
      rowCount: 0,
      decision: 'clear',
    });
  });

  it('refuses to add a rule whose query does not parse, with exit 2 and where', async () => {
    const refused = await vigil(
      'rules',
      'add',
      '--name',
      'broken',
      '--query',
      'FIND threatstack_agent WITH',
      '--when',
      'any',
      '--action',
      'log',
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('QUERY_INVALID');
    expect((await vigil('rules', 'list', '--json')).stdout).not.toContain('broken');
  });

  it('says NOT_FOUND for a rule that does not exist', async () => {
    const missing = await vigil('rules', 'run', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('NOT_FOUND');
  });
});
