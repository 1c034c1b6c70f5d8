import { describe, expect, it } from 'vitest';
import { VigilError } from '../errors.ts';
import { fieldsFromFlags } from './integration-flags.ts';

describe('fieldsFromFlags', () => {
  it('shapes common and vendor flags into config fields, leaving out flags not given', () => {
    expect(
      fieldsFromFlags('threatstack', {
        port: '8443',
        proxy: false,
        syncInterval: '30m',
        userId: 'u',
        discoverDevices: false,
        queryTime: '10',
      }),
    ).toEqual({
      port: 8443,
      proxy: null,
      syncIntervalSeconds: 1800,
      userId: 'u',
      discoverDevices: false,
      queryTimeMinutes: 10,
    });
    expect(fieldsFromFlags('threatconnect', { accessId: 'a', apiRoot: '/api' })).toEqual({
      accessId: 'a',
      apiRoot: '/api',
    });
  });

  it('names the vendor that takes a flag given to another vendor', () => {
    let error: unknown;
    try {
      fieldsFromFlags('threatstack', { accessId: 'a' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).message).toBe(
      '--access-id is a ThreatConnect setting; a Threat Stack integration does not take it.',
    );
  });
});
