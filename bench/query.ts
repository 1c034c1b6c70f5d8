import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { relationship } from '../src/graph/keys.ts';
import type { Entity, Relationship } from '../src/graph/types.ts';
import { parseQuery } from '../src/query/parse.ts';
import type { Driver, SqlValue } from '../src/store/driver.ts';
import { openStore } from '../src/store/index.ts';
import { openPostgresDriver } from '../src/store/postgres-driver.ts';
import { querySql } from '../src/store/query/run.ts';
import { openSqliteDriver } from '../src/store/sqlite-driver.ts';
import type { GraphStore } from '../src/store/types.ts';

/**
 * Hand-written SQL gives the same answer as the J1QL (e.g. it checks that a relationship's other
 * end exists and has the wanted type) but skips what the general compiler cannot know: the
 * direction findings point, and that JSON values have the expected type.
 *
 * `npm run bench -- query`: the four queries of issue 12 over 100 000 agents and 1 000 000
 * findings (VIGIL_BENCH_AGENTS / VIGIL_BENCH_FINDINGS scale it), written straight through the
 * store's write operations; p50/p95 of the compiled SQL beside hand-written SQL on the same
 * database. SQLite always, PostgreSQL when VIGIL_TEST_PG_URL is set. Seeding takes minutes: with
 * VIGIL_BENCH_QUERY_CACHE=<dir> the SQLite file stays in that directory and the PostgreSQL schema
 * stays too (both named by the scale), and a later run reuses them instead of seeding again.
 * VIGIL_BENCH_QUERY_ONLY=<text> measures only the cases whose name contains it; VIGIL_BENCH_PG=0
 * skips PostgreSQL and VIGIL_BENCH_SQLITE=0 skips SQLite.
 */
const agents = Number(process.env.VIGIL_BENCH_AGENTS ?? 100_000);
const findings = Number(process.env.VIGIL_BENCH_FINDINGS ?? 1_000_000);
const cves = 5_000;
const severities = ['low', 'medium', 'high', 'critical'];
const at = '2024-05-01T10:00:00.000Z';

const agentKey = (n: number) => `threatstack:agent:${n}`;
const cveKey = (n: number) => `cve-2024-${String(n).padStart(5, '0')}`;

function agentEntity(n: number): Entity {
  const status = n % 5 === 0 ? 'offline' : 'online';
  return {
    _key: agentKey(n),
    _type: 'threatstack_agent',
    _class: 'HostAgent',
    displayName: `host-${n}`,
    properties: {
      id: String(n),
      status,
      active: status === 'online',
      hostname: `host-${n}`,
      version: '3.1.0',
    },
  };
}

function cveEntity(n: number): Entity {
  return {
    _key: cveKey(n),
    _type: 'cve',
    _class: 'Vulnerability',
    displayName: cveKey(n).toUpperCase(),
    properties: { name: cveKey(n).toUpperCase(), severity: severities[n % severities.length] ?? 'low' },
  };
}

/** Finding `i`: agent i mod agents identified a CVE spread by a multiplicative hash. */
function finding(i: number): Relationship {
  const agent = { _key: agentKey(i % agents), _type: 'threatstack_agent' };
  const cve = { _key: cveKey((i * 7919 + Math.floor(i / agents) * 104_729) % cves), _type: 'cve' };
  return relationship(agent, 'IDENTIFIED', cve, { severity: 'high', suppressed: false });
}

async function populate(store: GraphStore): Promise<void> {
  const started = performance.now();
  const run = await store.createRun('bench', at);
  const batch = 50_000;
  for (let start = 0; start < agents; start += batch) {
    const rows = Array.from({ length: Math.min(batch, agents - start) }, (_, k) => agentEntity(start + k));
    await store.writeEntities(run, 'bench', rows, at);
  }
  await store.writeEntities(
    run,
    'bench',
    Array.from({ length: cves }, (_, n) => cveEntity(n)),
    at,
  );
  for (let start = 0; start < findings; start += batch) {
    const rows = Array.from({ length: Math.min(batch, findings - start) }, (_, k) => finding(start + k));
    await store.writeRelationships(run, 'bench', rows, at);
  }
  await store.clearSeen(run);
  process.stdout.write(`  populated in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

interface Case {
  name: string;
  j1ql: string;
  /** The best SQL we could write by hand for the same answer, per dialect (`?` placeholders). */
  hand: Record<Driver['dialect'], { text: string; params: SqlValue[] }>;
  runs: number;
}

const selectiveCve = cveKey(42);
const cases: Case[] = [
  {
    name: '1-hop filter',
    j1ql: 'FIND threatstack_agent WITH active = true',
    runs: 10,
    hand: {
      sqlite: {
        text: "SELECT key, type, class, display_name, properties FROM entities WHERE type = ? AND json_extract(properties, '$.active') = 1",
        params: ['threatstack_agent'],
      },
      postgres: {
        text: "SELECT key, type, class, display_name, properties FROM entities WHERE type = ? AND properties -> 'active' = 'true'::jsonb",
        params: ['threatstack_agent'],
      },
    },
  },
  {
    name: '2-hop aggregate',
    j1ql: "FIND threatstack_agent AS a THAT IDENTIFIED cve WITH severity = 'high' AS c RETURN a._key, COUNT(c)",
    runs: 10,
    hand: {
      sqlite: {
        // Grouped before the agents are joined: 100 000 agent probes instead of 250 000 (twice as fast).
        text: "SELECT g.key, g.n FROM (SELECT r.from_key AS key, COUNT(*) AS n FROM entities c JOIN relationships r ON r.to_key = c.key AND r.class = 'IDENTIFIED' WHERE c.type = 'cve' AND json_extract(c.properties, '$.severity') = ? GROUP BY r.from_key) AS g JOIN entities a ON a.key = g.key AND a.type = 'threatstack_agent'",
        params: ['high'],
      },
      postgres: {
        text: "SELECT a.key, COUNT(*) FROM entities c JOIN relationships r ON r.to_key = c.key AND r.class = 'IDENTIFIED' JOIN entities a ON a.key = r.from_key AND a.type = 'threatstack_agent' WHERE c.type = 'cve' AND c.properties -> 'severity' = to_jsonb(?::text) GROUP BY a.key",
        params: ['high'],
      },
    },
  },
  {
    name: 'reverse traversal',
    j1ql: "FIND cve THAT IDENTIFIED threatstack_agent WITH status = 'offline'",
    runs: 10,
    hand: {
      sqlite: {
        text: "SELECT key, type, class, display_name, properties FROM entities WHERE key IN (SELECT r.to_key FROM entities a JOIN relationships r ON r.from_key = a.key AND r.class = 'IDENTIFIED' WHERE a.type = 'threatstack_agent' AND json_extract(a.properties, '$.status') = ?)",
        params: ['offline'],
      },
      postgres: {
        text: "SELECT key, type, class, display_name, properties FROM entities WHERE key IN (SELECT r.to_key FROM entities a JOIN relationships r ON r.from_key = a.key AND r.class = 'IDENTIFIED' WHERE a.type = 'threatstack_agent' AND a.properties -> 'status' = to_jsonb(?::text))",
        params: ['offline'],
      },
    },
  },
  {
    name: 'selective lookup (hosts of one CVE)',
    j1ql: `FIND threatstack_agent THAT IDENTIFIED cve WITH _key = '${selectiveCve}'`,
    runs: 40,
    hand: {
      sqlite: {
        text: "SELECT a.key, a.type, a.class, a.display_name, a.properties FROM relationships r JOIN entities a ON a.key = r.from_key WHERE r.to_key = ? AND r.class = 'IDENTIFIED' AND a.type = 'threatstack_agent'",
        params: [selectiveCve],
      },
      postgres: {
        text: "SELECT a.key, a.type, a.class, a.display_name, a.properties FROM relationships r JOIN entities a ON a.key = r.from_key WHERE r.to_key = ? AND r.class = 'IDENTIFIED' AND a.type = 'threatstack_agent'",
        params: [selectiveCve],
      },
    },
  },
];

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? Number.NaN;
}

/**
 * Wall-clock p50/p95, and the p50 of this process's CPU time: on SQLite the query runs in this
 * process, so CPU time is the figure that stays honest on a machine shared with other work.
 */
async function measure(
  runs: number,
  work: () => Promise<unknown>,
): Promise<{ p50: number; p95: number; cpu50: number }> {
  await work();
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    const startedCpu = process.cpuUsage();
    await work();
    const used = process.cpuUsage(startedCpu);
    times.push(performance.now() - started);
    cpu.push((used.user + used.system) / 1000);
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p95: percentile(times, 0.95), cpu50: percentile(cpu, 0.5) };
}

const ms = (value: number) => `${value.toFixed(1).padStart(8)} ms`;

/** Whether a cached database already holds the seeded graph (the last finding is written last). */
async function seeded(driver: Driver): Promise<boolean> {
  try {
    const rows = await driver.all('SELECT COUNT(*) AS n FROM relationships', []);
    return Number(rows[0]?.n) === findings;
  } catch {
    return false;
  }
}

/** Populates through one store, analyses, then queries through a store opened afterwards (fresh statistics). */
async function benchBackend(name: string, open: () => Promise<GraphStore>, driver: Driver): Promise<void> {
  process.stdout.write(`\n-- ${name}: ${agents} agents, ${cves} CVEs, ${findings} findings --\n`);
  if (await seeded(driver)) process.stdout.write('  reusing the cached seeded database\n');
  else {
    const writer = await open();
    try {
      await populate(writer);
    } finally {
      await writer.close();
    }
  }
  // PostgreSQL: VACUUM as autovacuum would after the bulk load, so index-only scans are possible.
  await driver.run(driver.dialect === 'sqlite' ? 'ANALYZE' : 'VACUUM ANALYZE entities');
  if (driver.dialect === 'postgres') await driver.run('VACUUM ANALYZE relationships');
  const store = await open();
  try {
    await measureCases(store, driver);
  } finally {
    await store.close();
  }
}

async function measureCases(store: GraphStore, driver: Driver): Promise<void> {
  process.stdout.write(
    `  ${'query'.padEnd(36)}${'SQL p50'.padStart(11)}${'p95'.padStart(11)}${'hand p50'.padStart(11)}${'p95'.padStart(11)}${'ratio'.padStart(8)}${'query() p50'.padStart(12)}${'CPU SQL'.padStart(11)}${'CPU hand'.padStart(11)}  rows\n`,
  );
  const only = process.env.VIGIL_BENCH_QUERY_ONLY;
  for (const benchCase of cases) {
    if (only !== undefined && only !== '' && !benchCase.name.includes(only)) continue;
    const query = parseQuery(benchCase.j1ql);
    const compiledSql = querySql(driver.dialect, query);
    let rows = 0;
    const compiled = await measure(benchCase.runs, async () => {
      rows = (await driver.all(compiledSql.text, compiledSql.params, { largeRead: true })).length;
    });
    const hand = benchCase.hand[driver.dialect];
    let handRows = 0;
    const written = await measure(benchCase.runs, async () => {
      handRows = (await driver.all(hand.text, hand.params, { largeRead: true })).length;
    });
    const endToEnd = await measure(Math.ceil(benchCase.runs / 2), () => store.query(query));
    const sameCount = rows === handRows ? '' : ` (hand-written: ${handRows} rows)`;
    process.stdout.write(
      `  ${benchCase.name.padEnd(36)}${ms(compiled.p50)}${ms(compiled.p95)}${ms(written.p50)}${ms(written.p95)}${(compiled.p50 / written.p50).toFixed(2).padStart(7)}× ${ms(endToEnd.p50)}${ms(compiled.cpu50)}${ms(written.cpu50)}  ${rows}${sameCount}\n`,
    );
    if (process.env.VIGIL_BENCH_SQL) process.stdout.write(`    ${compiledSql.text}\n`);
  }
}

export async function run(): Promise<void> {
  const cache = process.env.VIGIL_BENCH_QUERY_CACHE;
  const scale = `${agents}-${findings}`;
  const dir = cache === undefined || cache === '' ? mkdtempSync(join(tmpdir(), 'vigil-bench-query-')) : cache;
  mkdirSync(dir, { recursive: true });
  try {
    const file = join(dir, `query-${scale}.db`);
    if (process.env.VIGIL_BENCH_SQLITE !== '0') {
      const driver = openSqliteDriver(file);
      try {
        await benchBackend('SQLite', () => openStore(file), driver);
      } finally {
        await driver.close();
      }
    }
  } finally {
    if (dir !== cache) rmSync(dir, { recursive: true, force: true });
  }
  const url = process.env.VIGIL_TEST_PG_URL;
  if (url === undefined || url === '' || process.env.VIGIL_BENCH_PG === '0') {
    process.stdout.write('\n  PostgreSQL skipped (set VIGIL_TEST_PG_URL)\n');
    return;
  }
  const schema = dir === cache ? `vigil_bench_query_${agents}_${findings}` : `vigil_bench_${process.pid}`;
  const driver = openPostgresDriver(url);
  try {
    await driver.run(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const schemaDriver = openPostgresDriver(url, { schema });
    try {
      await benchBackend('PostgreSQL', () => openStore(url, { schema }), schemaDriver);
    } finally {
      await schemaDriver.close();
    }
  } finally {
    if (dir !== cache) await driver.run(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await driver.close();
  }
}
