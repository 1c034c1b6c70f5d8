import { type Integration, validateConfig } from '../../src/integrations/config.ts';

/**
 * A registered ThreatConnect integration for scheduling tests: id `id-<name>` unless given,
 * default settings except the sync interval, created and updated at `at`.
 */
export function testIntegration(
  name: string,
  syncIntervalSeconds: number,
  options: { id?: string; at?: string } = {},
): Integration {
  const at = options.at ?? '2026-11-25T12:00:00.000Z';
  return {
    id: options.id ?? `id-${name}`,
    name,
    kind: 'threatconnect',
    source: 'registry',
    config: validateConfig({ kind: 'threatconnect', host: 'tc.example', accessId: 'a', syncIntervalSeconds }),
    hasApiKey: true,
    createdAt: at,
    updatedAt: at,
  };
}
