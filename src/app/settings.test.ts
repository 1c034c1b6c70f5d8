import { describe, expect, it } from 'vitest';
import { VigilError } from '../errors.ts';
import { describeSettings, parseSettings } from './settings.ts';

const linux = { platform: 'linux' as const, homedir: '/home/ada' };

function failure(work: () => unknown): VigilError {
  try {
    work();
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('expected a VigilError');
}

describe('parseSettings', () => {
  it('puts everything in the platform user data directory by default, whatever the working directory', () => {
    expect(parseSettings({ env: {}, ...linux })).toMatchObject({
      home: '/home/ada/.local/share/vigil',
      database: '/home/ada/.local/share/vigil/vigil.db',
      databaseFrom: 'home',
      secretKeyFile: '/home/ada/.local/share/vigil/vigil.key',
      secretKeyFromEnv: false,
      attackCatalogueFile: '/home/ada/.local/share/vigil/attack-catalogue.json',
      pgSchema: undefined,
    });
    expect(parseSettings({ env: { XDG_DATA_HOME: '/data' }, ...linux }).home).toBe('/data/vigil');
    expect(parseSettings({ env: {}, platform: 'darwin', homedir: '/Users/ada' }).home).toBe(
      '/Users/ada/Library/Application Support/vigil',
    );
    expect(
      parseSettings({
        env: { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' },
        platform: 'win32',
        homedir: 'C:\\Users\\ada',
      }).home,
    ).toMatch(/AppData.Roaming.vigil$/);
  });

  it('VIGIL_HOME moves the home; VIGIL_DB and then --db win for the database (the key goes beside it)', () => {
    const home = parseSettings({ env: { VIGIL_HOME: '/srv/vigil' }, ...linux });
    expect([home.home, home.database, home.secretKeyFile]).toEqual([
      '/srv/vigil',
      '/srv/vigil/vigil.db',
      '/srv/vigil/vigil.key',
    ]);
    const fromEnv = parseSettings({
      env: { VIGIL_HOME: '/srv/vigil', VIGIL_DB: '/data/graph.db' },
      ...linux,
    });
    expect([fromEnv.database, fromEnv.databaseFrom, fromEnv.secretKeyFile]).toEqual([
      '/data/graph.db',
      'VIGIL_DB',
      '/data/vigil.key',
    ]);
    const fromFlag = parseSettings({ env: { VIGIL_DB: '/data/graph.db' }, db: '/tmp/x.db', ...linux });
    expect([fromFlag.database, fromFlag.databaseFrom]).toEqual(['/tmp/x.db', '--db']);
  });

  it('keeps a PostgreSQL URL, its key in the home, and the schema from --schema or VIGIL_PG_SCHEMA', () => {
    const settings = parseSettings({
      env: { VIGIL_PG_SCHEMA: 'vigil_a', VIGIL_SECRET_KEY: 'k' },
      db: 'postgres://u:secret@db/vigil',
      ...linux,
    });
    expect(settings).toMatchObject({
      database: 'postgres://u:secret@db/vigil',
      pgSchema: 'vigil_a',
      secretKeyFile: '/home/ada/.local/share/vigil/vigil.key',
      secretKeyFromEnv: true,
    });
    expect(parseSettings({ env: { VIGIL_PG_SCHEMA: 'vigil_a' }, schema: 'other', ...linux }).pgSchema).toBe(
      'other',
    );
    expect(describeSettings(settings)).toMatchObject({
      database: 'postgres://***@db/vigil',
      secretKey: 'VIGIL_SECRET_KEY',
    });
  });

  it('refuses a database URL of another scheme naming where it came from, and a bad schema name', () => {
    const flag = failure(() => parseSettings({ env: {}, db: 'mysql://x', ...linux }));
    expect([flag.code, flag.message]).toEqual([
      'INPUT_INVALID',
      '--db uses the scheme mysql://, which Vigil does not support; give a SQLite file path or a postgres:// URL.',
    ]);
    expect(failure(() => parseSettings({ env: { VIGIL_DB: 'mysql://x' }, ...linux })).message).toMatch(
      /^VIGIL_DB /,
    );
    expect(failure(() => parseSettings({ env: { VIGIL_PG_SCHEMA: 'a-b' }, ...linux })).message).toMatch(
      /^VIGIL_PG_SCHEMA must be a schema name/,
    );
  });
});
