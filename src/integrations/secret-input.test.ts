import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { VigilError } from '../errors.ts';
import { readApiKey, type SecretInputIo } from './secret-input.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-secret-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const key = 'api-key-0123456789abcdef';

/** A terminal: a stream with isTTY and raw mode, recording whether raw mode was left as found. */
class FakeTerminal extends PassThrough {
  readonly isTTY = true;
  isRaw = false;
  setRawMode(mode: boolean): this {
    this.isRaw = mode;
    return this;
  }
}

function io(stdin: SecretInputIo['stdin'], env: NodeJS.ProcessEnv = {}) {
  const written: string[] = [];
  return {
    io: { env, stdin, promptOutput: { write: (text: string) => written.push(text) } } satisfies SecretInputIo,
    written,
  };
}

const noInput = () => Readable.from([]);

async function failure(work: Promise<unknown>): Promise<VigilError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('readApiKey', () => {
  it('reads a file, without its trailing newline', async () => {
    const file = join(dir, 'key.txt');
    writeFileSync(file, `${key}\n`);
    expect(
      await readApiKey({ file, envVar: 'TS_API_KEY' }, io(noInput(), { TS_API_KEY: 'from-env' }).io),
    ).toBe(key);
  });

  it('refuses an unreadable, empty or multi-line file as INPUT_INVALID without its content', async () => {
    const missing = await failure(readApiKey({ file: join(dir, 'missing') }, io(noInput()).io));
    expect(missing.code).toBe('INPUT_INVALID');
    expect(missing.message).toContain('ENOENT');
    writeFileSync(join(dir, 'empty'), '\n');
    expect((await failure(readApiKey({ file: join(dir, 'empty') }, io(noInput()).io))).code).toBe(
      'INPUT_INVALID',
    );
    writeFileSync(join(dir, 'two'), `${key}\nsecond-line\n`);
    const two = await failure(readApiKey({ file: join(dir, 'two') }, io(noInput()).io));
    expect(two.code).toBe('INPUT_INVALID');
    expect(two.message).not.toContain(key);
  });

  it('reads stdin to its end', async () => {
    expect(
      await readApiKey(
        { stdin: true },
        io(Readable.from([Buffer.from(key.slice(0, 5)), `${key.slice(5)}\r\n`])).io,
      ),
    ).toBe(key);
  });

  it('refuses file and stdin together', async () => {
    expect((await failure(readApiKey({ file: 'x', stdin: true }, io(noInput()).io))).code).toBe(
      'INPUT_INVALID',
    );
  });

  it('falls back to the vendor variable, then to nothing when there is no terminal', async () => {
    expect(await readApiKey({ envVar: 'TC_API_KEY' }, io(noInput(), { TC_API_KEY: ` ${key} ` }).io)).toBe(
      key,
    );
    expect(
      await readApiKey({ envVar: 'TC_API_KEY', prompt: 'key: ' }, io(noInput(), { TC_API_KEY: '' }).io),
    ).toBeUndefined();
    expect(await readApiKey({ prompt: 'key: ' }, io(noInput(), { TC_API_KEY: key }).io)).toBeUndefined();
  });

  it('asks on a terminal without echo: Backspace edits, escape sequences are ignored, raw mode is restored', async () => {
    const terminal = new FakeTerminal();
    const { io: terminalIo, written } = io(terminal);
    const answer = readApiKey({ prompt: 'Threat Stack API key for ts: ' }, terminalIo);
    terminal.write(`${key.slice(0, 10)}X\u007f`);
    terminal.write(`\u001b[D${key.slice(10)}\r`);
    expect(await answer).toBe(key);
    expect(written.join('')).toBe('Threat Stack API key for ts: \n');
    expect(terminal.isRaw).toBe(false);
  });

  it('treats Ctrl-C at the prompt as no key entered', async () => {
    const terminal = new FakeTerminal();
    const answer = readApiKey({ prompt: 'key: ' }, io(terminal).io);
    terminal.write('abc\u0003');
    expect((await failure(answer)).code).toBe('INPUT_INVALID');
    expect(terminal.isRaw).toBe(false);
  });

  it('asks without echo when --api-key-stdin meets a terminal', async () => {
    const terminal = new FakeTerminal();
    const { io: terminalIo, written } = io(terminal);
    const answer = readApiKey({ stdin: true }, terminalIo);
    terminal.write(`${key}\n`);
    expect(await answer).toBe(key);
    expect(written.join('')).not.toContain(key);
  });
});
