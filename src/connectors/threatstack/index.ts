import { baseUrlOf, defineConnector } from '../descriptor.ts';
import { ThreatStackClient } from './client.ts';
import {
  type ThreatStackConfig,
  threatStackConfigSchema,
  threatStackEnvHint,
  threatStackEnvVariables,
} from './config.ts';
import { accountKey } from './converters.ts';
import { threatStackScriptsEnv } from './scripts-config.ts';
import { threatStackSteps } from './steps.ts';

export type { ThreatStackConfig } from './config.ts';

/**
 * The connectivity checks of Threat Stack: GET /help/hawk/self-test proves the key, the clock and
 * the organization; a revoked member still passes it (spec §1.5), so one /v2 read — the first
 * page of online agents — proves the membership and the right to read.
 */
function probeChecks(client: ThreatStackClient, config: ThreatStackConfig) {
  return [
    {
      request: 'GET /help/hawk/self-test',
      permissionFix: 'Check the user’s role in the organization.',
      run: async () => {
        await client.selfTest();
        return `Hawk authentication of user ${config.userId} in organization ${config.orgId} accepted (key, clock and organization)`;
      },
    },
    {
      request: 'GET /v2/agents?status=online',
      permissionFix:
        `The key authenticates, but user ${config.userId} may not read agents in organization ${config.orgId} ` +
        '(GET /v2/agents): check its role there and that its membership has not been revoked.',
      run: async () => {
        const pages = client.iterateAgents('online');
        try {
          const first = await pages.next();
          return `read ${first.done === true ? 0 : first.value.length} online agent(s) on the first page`;
        } finally {
          await pages.return(undefined);
        }
      },
    },
  ];
}

/** Threat Stack (C3, C6): agents, EC2 instances, vulnerabilities and alerts of one organization. */
export const threatStack = defineConnector<ThreatStackConfig, ThreatStackClient>({
  kind: 'threatstack',
  label: 'Threat Stack',
  configSchema: threatStackConfigSchema,
  secretFields: [{ name: 'apiKey', envVariable: 'TS_API_KEY', label: 'API key' }],
  envVariables: [...threatStackEnvVariables.map((variable) => variable.name), 'TS_API_KEY'],
  syncFlags: [
    {
      flag: '--alerts-days',
      field: 'alertsDays',
      description: 'sync alerts created in the last N days (default 7)',
      min: 1,
      max: 3650,
    },
  ],
  settingFlags: [
    {
      flags: '--user-id <id>',
      field: 'userId',
      description: 'user id (Settings → Application Keys)',
      value: 'text',
    },
    { flags: '--org-id <id>', field: 'orgId', description: 'organization id', value: 'text' },
    { flags: '--org-name <name>', field: 'orgName', description: 'organization name', value: 'text' },
    {
      flags: '--query-time <minutes>',
      field: 'queryTimeMinutes',
      description: 'validation query time (default 5)',
      value: 'whole number',
    },
    {
      flags: '--delay-time <minutes>',
      field: 'delayTimeMinutes',
      description: 'validation delay time (default 0)',
      value: 'whole number',
    },
    {
      flags: '--query-interval <seconds>',
      field: 'queryIntervalSeconds',
      description: 'validation query interval (default 30)',
      value: 'whole number',
    },
    {
      flags: '--event-time-adjustment <seconds>',
      field: 'eventTimeAdjustmentSeconds',
      description: 'our time = vendor time + this (default 0)',
      value: 'whole number',
    },
    {
      flags: '--discover-devices',
      field: 'discoverDevices',
      description: 'discover network devices automatically (default)',
      value: 'switch',
      negation: 'do not discover network devices',
    },
    {
      flags: '--save-suspicious-events',
      field: 'saveSuspiciousEvents',
      description: 'save suspicious events',
      value: 'switch',
      negation: 'do not save suspicious events (default)',
    },
    {
      flags: '--alerts-days <n>',
      field: 'alertsDays',
      description: 'sync alerts of the last N days (default 7)',
      value: 'whole number',
    },
  ],
  env: { variables: threatStackEnvVariables, hint: threatStackEnvHint },
  newClient: (connection, config, clientDeps) =>
    new ThreatStackClient({ ...connection, userId: config.userId, orgId: config.orgId }, clientDeps),
  steps(config) {
    return threatStackSteps({ orgId: config.orgId, orgName: config.orgName, alertsDays: config.alertsDays });
  },
  probe(client, config) {
    return {
      service: 'Threat Stack',
      authFix:
        "Check the integration's --user-id, --org-id and API key (Threat Stack: Settings → Application Keys), and " +
        "that this machine's clock is within 60 s of real time.",
      notApiFix: `Check that ${baseUrlOf(config)} is the Threat Stack API (--host, --port, --protocol).`,
      checks: probeChecks(client, config),
    };
  },
  account(config) {
    return { id: `threatstack:${config.orgId}`, entityKey: accountKey(config.orgId), label: config.orgName };
  },
  endpoint: baseUrlOf,
  scriptsConfig: { fileName: 'threatstack.cfg', toEnv: threatStackScriptsEnv },
});
