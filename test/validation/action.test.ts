import { describe, expect, it } from 'vitest';
import { bundledCataloguePath, loadAttackCatalogue } from '../../src/attack/catalogue.ts';
import { VigilError } from '../../src/errors.ts';
import {
  MAX_ACTIONS_PER_VALIDATION,
  markedCommandLine,
  newMarker,
  parseAction,
  parseValidationActions,
} from '../../src/validation/action.ts';

const catalogue = loadAttackCatalogue({ path: bundledCataloguePath });

const valid = {
  id: 'a1',
  technique: 'T1059.004',
  target: { hostname: 'web-01', ips: ['10.0.0.5'], ports: [4444] },
  commandLine: 'sh -c id',
  marker: 'vigil-0123456789abcdef',
  startedAt: '2026-11-25T12:00:00Z',
  outcome: 'ran',
  source: 'manual',
};

function errorOf(run: () => unknown): VigilError {
  try {
    run();
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('expected a VigilError');
}

describe('parseAction', () => {
  it('accepts a full action and fills the defaults of the target', () => {
    const action = parseAction({ ...valid, target: { agentId: 'ag-1' } }, catalogue);
    expect(action.target).toEqual({ agentId: 'ag-1', ips: [], ports: [] });
    expect(parseAction(valid, catalogue).target.ports).toEqual([4444]);
  });

  it('rejects a technique the catalogue does not know, naming it', () => {
    const error = errorOf(() => parseAction({ ...valid, technique: 'T9999' }, catalogue, 'actions[2]'));
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.message).toMatch(/^actions\[2\]\.technique: T9999 is not in the ATT&CK catalogue/);
  });

  it.each([
    [{ technique: 'Phishing' }, /technique: must be an ATT&CK technique id/],
    [{ target: { ips: ['10.0.0.5'] } }, /target: give an agent id or a hostname/],
    [{ target: { hostname: 'h', ips: ['10.0.0.999'] } }, /target\.ips\.0/],
    [{ target: { hostname: 'h', ports: [70_000] } }, /target\.ports\.0/],
    [{ outcome: 'succeeded' }, /outcome/],
    [{ startedAt: 'yesterday' }, /startedAt: must be an ISO-8601 date-time/],
    [{ endedAt: '2026-11-25T11:00:00Z' }, /endedAt: must not be before startedAt/],
    [{ commandLine: undefined, marker: undefined }, /give a command line, a marker or a process id/],
    [{ marker: 'abc' }, /marker: must be at least 6 characters/],
    [{ expected: 'sometimes' }, /expected/],
    [{ extra: 1 }, /extra/],
  ])('rejects %o', (change, message) => {
    const error = errorOf(() => parseAction({ ...valid, ...change }, catalogue));
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.message).toMatch(message);
  });
});

describe('parseValidationActions', () => {
  it(`accepts ${MAX_ACTIONS_PER_VALIDATION} actions and refuses one more with VALIDATION_TOO_LARGE`, () => {
    const many = Array.from({ length: MAX_ACTIONS_PER_VALIDATION + 1 }, (_, i) => ({
      ...valid,
      id: `a${i}`,
    }));
    expect(parseValidationActions(many.slice(0, MAX_ACTIONS_PER_VALIDATION), catalogue)).toHaveLength(100);
    const error = errorOf(() => parseValidationActions(many, catalogue));
    expect(error.code).toBe('VALIDATION_TOO_LARGE');
    expect(error.message).toContain('at most 100 actions; this one would hold 101');
  });

  it('names the bad action by index and refuses duplicate ids', () => {
    expect(
      errorOf(() => parseValidationActions([valid, { ...valid, id: 'a2', outcome: 'x' }], catalogue)).message,
    ).toMatch(/^actions\[1\]\.outcome/);
    expect(errorOf(() => parseValidationActions([valid, valid], catalogue)).message).toBe(
      'actions[1].id: a1 is used by an earlier action.',
    );
  });
});

describe('markers', () => {
  it('are vigil- and 16 hex digits, appended as a shell comment', () => {
    const marker = newMarker(() => Buffer.from('0123456789abcdef', 'hex'));
    expect(marker).toBe('vigil-0123456789abcdef');
    expect(markedCommandLine('id -a', marker)).toBe('id -a # vigil-0123456789abcdef');
    expect(newMarker()).toMatch(/^vigil-[0-9a-f]{16}$/);
  });
});
