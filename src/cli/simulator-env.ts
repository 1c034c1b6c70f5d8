import { chmod, writeFile } from 'node:fs/promises';
import { VigilError } from '../errors.ts';
import type { ThreatConnectSimCredentials } from '../simulators/threatconnect/admin.ts';
import type { ThreatStackSimCredentials } from '../simulators/threatstack/server.ts';

/** Host, port and protocol of a simulator's URL as a vendor's `<PREFIX>_HOST/PORT/PROTOCOL` variables. */
function endpointVariables(prefix: 'TS' | 'TC', url: string): Record<string, string> {
  const parsed = new URL(url);
  return {
    [`${prefix}_HOST`]: parsed.hostname,
    [`${prefix}_PORT`]: parsed.port,
    [`${prefix}_PROTOCOL`]: parsed.protocol.replace(/:$/, ''),
  };
}

/** The `TS_*` variables that point `vigil sync threatstack` at a Threat Stack simulator. */
export function threatStackSimEnv(credentials: ThreatStackSimCredentials): Record<string, string> {
  return {
    TS_USER_ID: credentials.userId,
    TS_API_KEY: credentials.apiKey,
    TS_ORGANIZATION_ID: credentials.orgId,
    TS_ORGANIZATION_NAME: credentials.orgName,
    ...endpointVariables('TS', credentials.url),
  };
}

/** The `TC_*` variables that point `vigil sync threatconnect` at a ThreatConnect simulator. */
export function threatConnectSimEnv(credentials: ThreatConnectSimCredentials): Record<string, string> {
  return {
    TC_ACCESS_ID: credentials.accessId,
    TC_API_KEY: credentials.apiKey,
    TC_API_ROOT: credentials.apiRoot,
    ...endpointVariables('TC', credentials.url),
  };
}

/**
 * Variables as an env file both a shell (`set -a; . ./ts.env; set +a`) and `node --env-file`
 * read: `NAME='value'`, single quotes escaped the shell's way.
 */
export function envFileText(variables: Record<string, string>): string {
  return Object.entries(variables)
    .map(([name, value]) => `${name}='${value.replace(/'/g, `'\\''`)}'\n`)
    .join('');
}

/** Writes a file only its owner may read (mode 0600, also when it existed); FILE_WRITE_FAILED naming it. */
export async function writeSecretFile(path: string, text: string, what: string): Promise<void> {
  try {
    await writeFile(path, text, { mode: 0o600 });
    await chmod(path, 0o600);
  } catch (error) {
    throw new VigilError(
      'FILE_WRITE_FAILED',
      `Cannot write the ${what} ${path}: ${(error as Error).message}`,
    );
  }
}
