import { describe, expect, it } from 'vitest';
import type { TsAlert } from '../../src/connectors/threatstack/types.ts';
import type { Action } from '../../src/validation/action.ts';
import { alertElsewhere } from '../../src/validation/match.ts';

const action = (target: Action['target']): Action => ({
  id: 'a',
  technique: 'T1059.004',
  target,
  commandLine: 'id',
  startedAt: '2026-11-25T12:00:00Z',
  outcome: 'ran',
  source: 'manual',
});
const alert = (agentId: string | null, hostname?: string): TsAlert =>
  ({
    id: 'x',
    agentId,
    createdAt: '2026-11-25T12:00:00Z',
    aggregates: hostname === undefined ? [] : [{ fieldName: 'hostname', fieldValue: hostname }],
  }) as unknown as TsAlert;

describe('alertElsewhere: whose events a poll need not fetch', () => {
  it('compares agent ids when both sides have one', () => {
    const onAgent = action({ agentId: 'ag-1', hostname: 'web-01', ips: [], ports: [] });
    expect(alertElsewhere(onAgent, alert('ag-2', 'web-01'))).toBe(true);
    expect(alertElsewhere(onAgent, alert('ag-1', 'db-01'))).toBe(false);
  });

  it('falls back on the hostname aggregate, and fetches whenever it cannot tell', () => {
    const onHost = action({ hostname: 'web-01', ips: [], ports: [] });
    expect(alertElsewhere(onHost, alert('ag-2', 'db-01.example.com'))).toBe(true);
    expect(alertElsewhere(onHost, alert('ag-2', 'web-01.example.com'))).toBe(false);
    expect(alertElsewhere(onHost, alert('ag-2'))).toBe(false);
    expect(alertElsewhere(onHost, alert(null))).toBe(false);
  });
});
