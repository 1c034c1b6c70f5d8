import { describe, expect, it } from 'vitest';
import { queueNameOf, renewalIntervalMs, uuidFromName } from './pg-boss.ts';

describe('pg-boss job naming and lease renewal', () => {
  it('gives the same job id for the same key on every process, and another for another key', () => {
    expect(uuidFromName('vigil-sync|i1|r-old#1')).toBe(uuidFromName('vigil-sync|i1|r-old#1'));
    expect(uuidFromName('vigil-sync|i1|r-old#1')).not.toBe(uuidFromName('vigil-sync|i1|r-old#2'));
    expect(uuidFromName('x')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('keeps the sync queue name of earlier versions', () => {
    expect(queueNameOf('sync')).toBe('vigil-sync');
  });

  it('renews three times a lease', () => {
    expect(renewalIntervalMs(30)).toBe(10_000);
    expect(renewalIntervalMs(3600)).toBe(1_200_000);
  });
});
