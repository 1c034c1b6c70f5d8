import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcSim, type TcHarness } from '../helpers/threatconnect.ts';
import { type SimHarness, startSim } from '../helpers/threatstack.ts';

const MALFORMED = '%E0%A4%A';

/** An unsigned GET of an exact target (the admin API needs no signature), as its status. */
function rawStatus(baseUrl: string, target: string): Promise<number> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: Number(url.port), path: target, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the Threat Stack simulator answers 400 to a malformed %-escape in a path', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSim({ agents: 2, cves: 2, alerts: 2 });
  });
  afterAll(() => h.close());

  it('on a signed API route', async () => {
    const response = await h.call('GET', `/v2/alerts/${MALFORMED}/events`);
    expect(response.status).toBe(400);
    expect(response.json<{ errors: string[] }>().errors[0]).toContain('Malformed percent-encoding');
  });

  it('on an admin route', async () => {
    expect(await rawStatus(h.sim.url, `/_sim/actions/${MALFORMED}`)).toBe(400);
  });
});

describe('the ThreatConnect simulator answers 400 to a malformed %-escape in a path', () => {
  let h: TcHarness;
  beforeAll(async () => {
    h = await startTcSim({ adversaries: 2 });
  });
  afterAll(() => h.close());

  it.each([`/v2/owners/${MALFORMED}`, `/v2/groups/adversaries/${MALFORMED}/attributes`])(
    'on %s',
    async (path) => {
      const response = await h.call(path);
      expect(response.status).toBe(400);
      expect(response.json<{ status: string; message: string }>()).toMatchObject({ status: 'Failure' });
    },
  );
});
