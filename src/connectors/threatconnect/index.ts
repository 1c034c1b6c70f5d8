import { baseUrlOf, defineConnector } from '../descriptor.ts';
import { ThreatConnectClient } from './client.ts';
import {
  type ThreatConnectConfig,
  threatConnectConfigSchema,
  threatConnectEnvHint,
  threatConnectEnvVariables,
} from './config.ts';
import { accountKey } from './converters.ts';
import { threatConnectSteps } from './steps.ts';

export type { ThreatConnectConfig } from './config.ts';

/** ThreatConnect's connectivity checks: GET /v2/whoami proves the credentials and clock; GET /v2/owners the right to read. */
function probeChecks(client: ThreatConnectClient, root: string) {
  return [
    {
      request: `GET ${root}/v2/whoami`,
      permissionFix: 'Check the API user’s role in ThreatConnect.',
      run: async () => {
        const user = await client.whoami();
        return `authenticated as API user ${user.userName}${user.role === undefined ? '' : ` (${user.role})`}`;
      },
    },
    {
      request: `GET ${root}/v2/owners`,
      permissionFix: `The API user authenticates but may not list owners (GET ${root}/v2/owners): check its role and owner memberships.`,
      run: async () => {
        const owners = await client.listOwners();
        const names = owners.slice(0, 5).map((owner) => owner.name);
        const more = owners.length > names.length ? ', …' : '';
        return `read ${owners.length} owner(s)${names.length > 0 ? `: ${names.join(', ')}${more}` : ''}`;
      },
    },
  ];
}

/** ThreatConnect (C4, C7): owners, adversaries, threats and their ATT&CK techniques of one instance. */
export const threatConnect = defineConnector<ThreatConnectConfig, ThreatConnectClient>({
  kind: 'threatconnect',
  label: 'ThreatConnect',
  configSchema: threatConnectConfigSchema,
  secretFields: [{ name: 'apiKey', envVariable: 'TC_API_KEY', label: 'API key' }],
  envVariables: [...threatConnectEnvVariables.map((variable) => variable.name), 'TC_API_KEY'],
  syncFlags: [],
  settingFlags: [
    { flags: '--access-id <id>', field: 'accessId', description: 'API user Access ID', value: 'text' },
    {
      flags: '--api-root <path>',
      field: 'apiRoot',
      description: 'path before /v2, e.g. /api (default none)',
      value: 'text',
    },
  ],
  env: { variables: threatConnectEnvVariables, hint: threatConnectEnvHint },
  newClient: (connection, config, clientDeps) =>
    new ThreatConnectClient(
      { ...connection, apiRoot: config.apiRoot, accessId: config.accessId },
      clientDeps,
    ),
  steps(config, deps) {
    return threatConnectSteps({ host: config.host, catalogue: deps.attackCatalogue() });
  },
  probe(client, config) {
    const root = config.apiRoot;
    return {
      service: 'ThreatConnect',
      authFix:
        "Check the integration's --access-id and API key (the Access ID and Secret Key of a ThreatConnect API " +
        "user), and that this machine's clock is within 5 minutes of real time.",
      notApiFix: `Check that ${baseUrlOf(config)}${root} is the ThreatConnect API (--host is the host of appsApiUrl; --api-root, now '${root}').`,
      checks: probeChecks(client, root),
    };
  },
  account(config) {
    return { id: `threatconnect:${config.host}`, entityKey: accountKey(config.host), label: config.host };
  },
  endpoint: (config) => `${baseUrlOf(config)}${config.apiRoot}`,
});
