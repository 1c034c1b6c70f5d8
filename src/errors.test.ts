import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type ErrorCode, errorRegistry, toVigilError, VigilError } from './errors.ts';

describe('VigilError', () => {
  it('toJSON has code and message, and no hint key when there is no hint', () => {
    const error = new VigilError('NOT_FOUND', 'No agent 42.');
    expect(error.toJSON()).toEqual({ code: 'NOT_FOUND', message: 'No agent 42.' });
    expect(Object.keys(error.toJSON())).toEqual(['code', 'message']);
    expect(JSON.stringify(error)).toBe('{"code":"NOT_FOUND","message":"No agent 42."}');
  });

  it('toJSON includes the hint when there is one', () => {
    const error = new VigilError('ADDRESS_IN_USE', 'Port 8080 is in use.', { hint: 'Use --port 0.' });
    expect(error.toJSON()).toEqual({
      code: 'ADDRESS_IN_USE',
      message: 'Port 8080 is in use.',
      hint: 'Use --port 0.',
    });
    expect(error.hint).toBe('Use --port 0.');
  });

  it('is an Error with its name, message and cause', () => {
    const cause = new Error('EACCES');
    const error = new VigilError('FILE_WRITE_FAILED', 'Cannot write x.', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('VigilError');
    expect(error.message).toBe('Cannot write x.');
    expect(error.cause).toBe(cause);
    expect(new VigilError('NOT_FOUND', 'x').cause).toBeUndefined();
  });

  it.each<[ErrorCode, number, number]>([
    ['USAGE_INVALID', 2, 400],
    ['INPUT_INVALID', 2, 400],
    ['FAULT_SPEC_INVALID', 2, 400],
    ['ADDRESS_IN_USE', 1, 500],
    ['FILE_WRITE_FAILED', 1, 500],
    ['NOT_FOUND', 1, 404],
    ['INTERNAL_ERROR', 1, 500],
  ])('%s → exit code %i, HTTP %i', (code, exitCode, httpStatus) => {
    const error = new VigilError(code, 'm');
    expect(error.exitCode).toBe(exitCode);
    expect(error.httpStatus).toBe(httpStatus);
    expect(errorRegistry[code]).toEqual({ exitCode, httpStatus });
  });

  it('every registered code maps to a CLI exit code (1 or 2) and an HTTP error status', () => {
    for (const [code, { exitCode, httpStatus }] of Object.entries(errorRegistry)) {
      expect(code).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
      expect([1, 2]).toContain(exitCode);
      expect(httpStatus >= 400 && httpStatus <= 599).toBe(true);
    }
  });
});

describe('toVigilError', () => {
  it('returns a VigilError unchanged (the same object)', () => {
    const error = new VigilError('INPUT_INVALID', 'bad', { hint: 'h' });
    expect(toVigilError(error)).toBe(error);
  });

  it('turns a ZodError into INPUT_INVALID naming the path of each issue', () => {
    const schema = z.object({ agents: z.number().int(), slow: z.object({ delayMs: z.number() }) });
    const result = schema.safeParse({ agents: 'many', slow: { delayMs: 'soon' } });
    expect(result.success).toBe(false);
    const error = toVigilError(result.error);
    expect(error).toBeInstanceOf(VigilError);
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/^agents: .+; slow\.delayMs: .+$/);
    expect(error.hint).toBeUndefined();
  });

  it('a ZodError about the root value has no path prefix', () => {
    const result = z.number().safeParse('x');
    const error = toVigilError(result.error);
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.message.length).toBeGreaterThan(0);
    expect(error.message).not.toMatch(/^: /);
  });

  it('turns an Error into INTERNAL_ERROR, keeping the message and the cause', () => {
    const original = new TypeError('undefined is not a function');
    const error = toVigilError(original);
    expect(error.code).toBe('INTERNAL_ERROR');
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe('Unexpected failure: undefined is not a function');
    expect(error.hint).toMatch(/bug/);
    expect(error.cause).toBe(original);
  });

  it.each([
    ['a string', 'boom', 'Unexpected failure: boom'],
    ['a number', 42, 'Unexpected failure: 42'],
    ['undefined', undefined, 'Unexpected failure: undefined'],
  ])('turns %s into INTERNAL_ERROR', (_name, thrown, message) => {
    const error = toVigilError(thrown);
    expect(error.code).toBe('INTERNAL_ERROR');
    expect(error.message).toBe(message);
    expect(error.cause).toBe(thrown);
  });
});
