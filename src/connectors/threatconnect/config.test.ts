import { describe, expect, it } from 'vitest';
import { VigilError } from '../../errors.ts';
import { baseUrlOf } from '../descriptor.ts';
import { apiRootSchema } from './config.ts';
import { threatConnect } from './index.ts';

/** The environment read as the connector reads it: base URL, API root, Access ID, key, host. */
function threatConnectConnectionFromEnv(env: NodeJS.ProcessEnv) {
  const { config, secrets } = threatConnect.fromEnv(env);
  return {
    baseUrl: baseUrlOf(config),
    apiRoot: config.apiRoot,
    accessId: config.accessId,
    apiKey: secrets.apiKey,
    host: config.host,
  };
}

const key = 'Zm9vYmFyLXNlY3JldC1rZXktMDEyMzQ1Njc4OQ==';
const minimal = { TC_HOST: 'acme.threatconnect.com', TC_ACCESS_ID: '12345678901234567890', TC_API_KEY: key };

function configError(env: NodeJS.ProcessEnv): VigilError {
  try {
    threatConnectConnectionFromEnv(env);
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('threatConnect.fromEnv', () => {
  it('defaults to https on 443 with no API root', () => {
    expect(threatConnectConnectionFromEnv(minimal)).toEqual({
      baseUrl: 'https://acme.threatconnect.com',
      apiRoot: '',
      accessId: '12345678901234567890',
      apiKey: key,
      host: 'acme.threatconnect.com',
    });
  });

  it('keeps a non-default port, lower-cases host and protocol, and normalises the API root', () => {
    const connection = threatConnectConnectionFromEnv({
      ...minimal,
      TC_HOST: 'ACME.ThreatConnect.com',
      TC_PORT: '8443',
      TC_PROTOCOL: 'HTTPS',
      TC_API_ROOT: 'api/',
    });
    expect(connection).toMatchObject({
      baseUrl: 'https://acme.threatconnect.com:8443',
      apiRoot: '/api',
      host: 'acme.threatconnect.com',
    });
    expect(threatConnectConnectionFromEnv({ ...minimal, TC_PROTOCOL: 'http', TC_PORT: '80' }).baseUrl).toBe(
      'http://acme.threatconnect.com',
    );
    expect(threatConnectConnectionFromEnv({ ...minimal, TC_PROTOCOL: 'http' }).baseUrl).toBe(
      'http://acme.threatconnect.com:443',
    );
  });

  it('treats blank optional variables as unset', () => {
    expect(
      threatConnectConnectionFromEnv({ ...minimal, TC_PORT: ' ', TC_PROTOCOL: '', TC_API_ROOT: '  ' }),
    ).toMatchObject({ baseUrl: 'https://acme.threatconnect.com', apiRoot: '' });
  });

  it('names every missing variable in one CONFIG_INVALID', () => {
    const error = configError({});
    expect(error.code).toBe('CONFIG_INVALID');
    for (const name of ['TC_HOST', 'TC_ACCESS_ID', 'TC_API_KEY']) expect(error.message).toContain(name);
    expect(error.hint).toContain('TC_ACCESS_ID');
  });

  it('names every wrong variable without repeating any value, the key least of all', () => {
    const error = configError({
      TC_HOST: 'https://acme.threatconnect.com/api',
      TC_PORT: '70000',
      TC_PROTOCOL: 'ftp',
      TC_API_ROOT: '/api/../x',
      TC_ACCESS_ID: 'has space',
      TC_API_KEY: key,
    });
    for (const name of ['TC_HOST', 'TC_PORT', 'TC_PROTOCOL', 'TC_API_ROOT', 'TC_ACCESS_ID']) {
      expect(error.message).toContain(name);
    }
    expect(error.message).not.toContain('TC_API_KEY');
    const shown = `${error.message} ${error.hint}`;
    for (const value of [key, 'acme.threatconnect.com/api', '70000', 'ftp', '../x', 'has space']) {
      expect(shown).not.toContain(value);
    }
  });
});

describe('apiRootSchema', () => {
  it.each([
    ['/api', '/api'],
    ['api', '/api'],
    ['/api/', '/api'],
    ['//api//', '/api'],
    ['', ''],
    ['/', ''],
    [' tc/api ', '/tc/api'],
  ])('%j → %j', (raw, expected) => {
    expect(apiRootSchema.parse(raw)).toBe(expected);
  });

  it.each(['/a pi', '/api?x=1', '/api/../v2', '/%61pi', '/api#x'])('refuses %j', (raw) => {
    expect(apiRootSchema.safeParse(raw).success).toBe(false);
  });
});
