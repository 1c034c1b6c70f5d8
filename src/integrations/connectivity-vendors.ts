import type { Dispatcher } from 'undici';
import { ThreatConnectClient } from '../connectors/threatconnect/client.ts';
import { apiRootSchema } from '../connectors/threatconnect/config.ts';
import { ThreatStackClient } from '../connectors/threatstack/client.ts';
import type {
  IntegrationConfig,
  ThreatConnectIntegrationConfig,
  ThreatStackIntegrationConfig,
} from './config.ts';
import type { ConnectivityStep } from './connectivity.ts';
import { apiStep, boundedSleep, type VendorWording } from './connectivity-http.ts';

/**
 * The vendor API layer of the connectivity test: the real clients, over the integration's
 * dispatcher, making the fewest calls that prove what a sync needs.
 */

/**
 * Attempts per call: a second one rides out a single reset or 5xx; a rate limit is never waited
 * out (see `MAX_RETRY_WAIT_MS`), so the test answers in seconds.
 */
export const TEST_MAX_ATTEMPTS = 2;
/** The longest wait before a retry; a vendor asking for more is reported as RATE_LIMITED at once. */
export const MAX_RETRY_WAIT_MS = 5_000;

/** What the test needs to call a vendor. */
export interface VendorTestContext {
  config: IntegrationConfig;
  apiKey: string;
  baseUrl: string;
  dispatcher: Dispatcher;
  /** The proxy as messages show it (credentials masked). */
  proxyShown: string | undefined;
  timeoutMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** One vendor's API checks, with the client they share (closed by the caller). */
export interface VendorProbe {
  service: string;
  steps: ConnectivityStep[];
  close(): Promise<void>;
}

function clientOptions(context: VendorTestContext) {
  return {
    baseUrl: context.baseUrl,
    apiKey: context.apiKey,
    requestsPerMinute: 0,
    timeoutMs: context.timeoutMs,
    maxAttempts: TEST_MAX_ATTEMPTS,
    dispatcher: context.dispatcher,
    ...(context.config.proxy === null ? {} : { proxy: context.config.proxy }),
  };
}

function clientDeps(context: VendorTestContext) {
  return { now: context.now, sleep: boundedSleep(context.sleep, MAX_RETRY_WAIT_MS) };
}

function wordingFor(
  context: VendorTestContext,
  service: string,
  authFix: string,
  notApiFix: string,
): VendorWording {
  const { config } = context;
  return {
    service,
    host: config.host.replace(/^\[|\]$/g, ''),
    port: config.port,
    proxy: context.proxyShown,
    caFile: config.caFile,
    authFix,
    notApiFix,
    now: context.now,
  };
}

/**
 * Threat Stack: GET /help/hawk/self-test proves the key, the clock and the organization; a
 * revoked member still passes it (spec §1.5), so one /v2 read — the first page of online
 * agents — proves the membership and the right to read.
 */
function threatStackProbe(config: ThreatStackIntegrationConfig, context: VendorTestContext): VendorProbe {
  const client = new ThreatStackClient(
    { ...clientOptions(context), userId: config.userId, orgId: config.orgId },
    clientDeps(context),
  );
  const wording = wordingFor(
    context,
    'Threat Stack',
    "Check the integration's --user-id, --org-id and API key (Threat Stack: Settings → Application Keys), and " +
      "that this machine's clock is within 60 s of real time.",
    `Check that ${context.baseUrl} is the Threat Stack API (--host, --port, --protocol).`,
  );
  const steps = [
    apiStep('GET /help/hawk/self-test', wording, 'Check the user’s role in the organization.', async () => {
      await client.selfTest();
      return `Hawk authentication of user ${config.userId} in organization ${config.orgId} accepted (key, clock and organization)`;
    }),
    apiStep(
      'GET /v2/agents?status=online',
      wording,
      `The key authenticates, but user ${config.userId} may not read agents in organization ${config.orgId} ` +
        '(GET /v2/agents): check its role there and that its membership has not been revoked.',
      async () => {
        const pages = client.iterateAgents('online');
        try {
          const first = await pages.next();
          return `read ${first.done === true ? 0 : first.value.length} online agent(s) on the first page`;
        } finally {
          await pages.return(undefined);
        }
      },
    ),
  ];
  return { service: 'Threat Stack', steps, close: () => client.close() };
}

/** ThreatConnect: GET /v2/whoami proves the credentials and clock; GET /v2/owners the right to read. */
function threatConnectProbe(config: ThreatConnectIntegrationConfig, context: VendorTestContext): VendorProbe {
  const client = new ThreatConnectClient(
    { ...clientOptions(context), apiRoot: config.apiRoot, accessId: config.accessId },
    clientDeps(context),
  );
  const root = apiRootSchema.parse(config.apiRoot);
  const wording = wordingFor(
    context,
    'ThreatConnect',
    "Check the integration's --access-id and API key (the Access ID and Secret Key of a ThreatConnect API " +
      "user), and that this machine's clock is within 5 minutes of real time.",
    `Check that ${context.baseUrl}${root} is the ThreatConnect API (--host is the host of appsApiUrl; --api-root, now '${root}').`,
  );
  const steps = [
    apiStep(`GET ${root}/v2/whoami`, wording, 'Check the API user’s role in ThreatConnect.', async () => {
      const user = await client.whoami();
      return `authenticated as API user ${user.userName}${user.role === undefined ? '' : ` (${user.role})`}`;
    }),
    apiStep(
      `GET ${root}/v2/owners`,
      wording,
      `The API user authenticates but may not list owners (GET ${root}/v2/owners): check its role and owner memberships.`,
      async () => {
        const owners = await client.listOwners();
        const names = owners.slice(0, 5).map((owner) => owner.name);
        const more = owners.length > names.length ? ', …' : '';
        return `read ${owners.length} owner(s)${names.length > 0 ? `: ${names.join(', ')}${more}` : ''}`;
      },
    ),
  ];
  return { service: 'ThreatConnect', steps, close: () => client.close() };
}

/**
 * The API checks of the integration's vendor. Building the client validates what the vendor
 * needs beyond the schema (e.g. characters Hawk cannot carry): it throws CONFIG_INVALID.
 */
export function vendorProbe(context: VendorTestContext): VendorProbe {
  const { config } = context;
  return config.kind === 'threatstack'
    ? threatStackProbe(config, context)
    : threatConnectProbe(config, context);
}
