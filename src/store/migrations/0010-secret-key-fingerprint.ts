import type { Migration } from './migration.ts';

/**
 * Settings of the database itself, one value per name. `secret_key_fingerprint`: the fingerprint
 * of the key its secrets are sealed with (never the key), so that a database moved without its
 * key file is told apart from a new one and no second key is ever created for it.
 */
export const migration0010: Migration = {
  version: 10,
  name: 'secret key fingerprint',
  sqlite: ['CREATE TABLE database_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)'],
  postgres: ['CREATE TABLE database_settings (name text PRIMARY KEY, value text NOT NULL)'],
};
