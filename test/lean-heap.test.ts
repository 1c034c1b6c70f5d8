import { describe, expect, it } from 'vitest';
import { runsSync } from '../bin/lean-heap.js';

/** bin/lean-heap.js: which command lines get the lean V8 heap flags (the figures are the sync bench's). */
describe('runsSync', () => {
  it('is true for the commands that run a sync, whatever options come first', () => {
    expect(runsSync(['sync', 'threatstack', '--json'])).toBe(true);
    expect(runsSync(['--wide', 'sync', 'threatconnect'])).toBe(true);
    expect(runsSync(['integrations', 'sync', 'prod'])).toBe(true);
  });

  it('is false for every other command', () => {
    expect(runsSync([])).toBe(false);
    expect(runsSync(['--help'])).toBe(false);
    expect(runsSync(['serve'])).toBe(false);
    expect(runsSync(['integrations', 'list'])).toBe(false);
    expect(runsSync(['graph', 'stats'])).toBe(false);
  });
});
