import { describe, expect, it } from 'vitest';
import { syncProgress } from './progress.ts';
import { requestFigures } from './sync.ts';
import { renderTable, wrapFigures } from './table.ts';

/** A non-terminal stream that keeps what is written. */
function recordingStream(): NodeJS.WriteStream & { text: string } {
  const stream = {
    isTTY: false,
    text: '',
    write(chunk: string) {
      stream.text += chunk;
      return true;
    },
  };
  return stream as unknown as NodeJS.WriteStream & { text: string };
}

describe('what a sync shows while it runs and after', () => {
  it('says why it waits (request budget, vendor 429) and counts items in the right number', () => {
    const stream = recordingStream();
    const progress = syncProgress(stream);
    progress.stepStarted({ id: 'fetch-agents', name: 'Agents' }, 1, 5);
    progress.onWait({ reason: 'budget', ms: 37_200, method: 'GET', path: '/v2/agents' });
    progress.onWait({ reason: 'rate-limit', ms: 12_000, method: 'GET', path: '/v2/agents' });
    progress.onWait({ reason: 'backoff', ms: 250, method: 'GET', path: '/v2/agents' });
    progress.stepFinished({
      id: 'fetch-agents',
      name: 'Agents',
      status: 'success',
      items: 1,
      durationMs: 40,
      error: null,
    });
    progress.stepStarted({ id: 'fetch-cves', name: 'Vulnerabilities' }, 2, 5);
    progress.stepFinished({
      id: 'fetch-cves',
      name: 'Vulnerabilities',
      status: 'skipped',
      items: 0,
      durationMs: 0,
      error: null,
    });
    expect(stream.text).toBe(
      '[2/5] Agents …\n' +
        '[2/5] waiting 38 s for the request budget\n' +
        "[2/5] waiting 12 s for the vendor's rate limit\n" +
        '[2/5] Agents: success, 1 item in 40 ms\n' +
        '[3/5] Vulnerabilities …\n' +
        '[3/5] Vulnerabilities: skipped\n',
    );
  });

  it('tells vendor 429s and budget waits apart, with their waits, wrapped to the width', () => {
    const figures = requestFigures({
      requests: 2400,
      retries: 3,
      rateLimited: 2,
      rateLimitWaitMs: 12_000,
      budgetWaits: 40,
      budgetWaitMs: 45_000,
    });
    expect(figures).toEqual([
      'requests 2,400',
      'retries 3',
      'vendor 429s 2 (waited 12.0 s)',
      'budget waits 40 (waited 45.0 s)',
    ]);
    expect(wrapFigures(figures, 40)).toEqual([
      'requests 2,400 · retries 3',
      'vendor 429s 2 (waited 12.0 s)',
      'budget waits 40 (waited 45.0 s)',
    ]);
  });

  it('cuts the widest text column with … to fit, never a number', () => {
    const rows = [{ name: 'threatconnect_adversary_uses_mitre_attack_technique', count: 1234 }];
    const columns = [
      { header: 'type', value: (r: (typeof rows)[number]) => r.name },
      { header: 'total', value: (r: (typeof rows)[number]) => r.count },
    ];
    const table = renderTable(columns, rows, 30).split('\n');
    expect(table.every((line) => line.length <= 30)).toBe(true);
    expect(table[2]).toBe('threatconnect_adversar…  1,234');
    expect(renderTable(columns, rows, undefined).split('\n')[2]).toContain('attack_technique  1,234');
  });
});
