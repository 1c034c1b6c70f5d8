import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startThreatConnectSimulator } from '../../../src/simulators/threatconnect/server.ts';
import { FakeClock, tcRequest } from '../../helpers/threatconnect.ts';

describe('ThreatConnect simulator: the request log', () => {
  it('logs each API request with its raw query string', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        done();
      },
    });
    const clock = new FakeClock();
    const sim = await startThreatConnectSimulator(
      { owners: 2, adversaries: 2 },
      { now: clock.now, logger: pino({ level: 'debug' }, stream) },
    );
    try {
      const target = `${sim.apiRoot}/v2/groups/adversaries?owner=Common%20Community&resultLimit=1`;
      const response = await tcRequest(sim.url, sim.credentials, target, clock.now());
      expect(response.status).toBe(200);
      expect(lines.filter((l) => l.msg === 'request')).toEqual([
        expect.objectContaining({
          method: 'GET',
          path: `${sim.apiRoot}/v2/groups/adversaries`,
          query: 'owner=Common%20Community&resultLimit=1',
          status: 200,
        }),
      ]);
    } finally {
      await sim.close();
    }
  });
});
