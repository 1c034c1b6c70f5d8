import { type FileRefused, readBoundedFile } from '../connectors/http/bounded-file.ts';
import { VigilError } from '../errors.ts';

/**
 * Where an API key comes from on the command line: a file, stdin, the vendor's environment
 * variable, or a prompt on a terminal without echo — never a flag value (it would land in shell
 * history and in `ps`).
 */
export interface ApiKeySources {
  /** `--api-key-file PATH`. */
  file?: string | undefined;
  /** `--api-key-stdin`. */
  stdin?: boolean | undefined;
  /** The vendor's variable (`TS_API_KEY`, `TC_API_KEY`), consulted when no file or stdin is given; omit to skip. */
  envVar?: string | undefined;
  /** Ask on the terminal when nothing else gave a key (only when stdin is a TTY). */
  prompt?: string | undefined;
}

/** The terminal side of a prompt: what `process.stdin` offers (a test passes a fake). */
export interface PromptInput {
  readonly isTTY?: boolean;
  readonly isRaw?: boolean;
  setRawMode?(mode: boolean): unknown;
  setEncoding(encoding: BufferEncoding): unknown;
  on(event: 'data', listener: (chunk: string) => void): unknown;
  off(event: 'data', listener: (chunk: string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface SecretInputIo {
  env: NodeJS.ProcessEnv;
  stdin: PromptInput & AsyncIterable<Buffer | string>;
  /** Where the prompt is written (stderr: stdout is the command's output). */
  promptOutput: { write(text: string): unknown };
}

const MAX_KEY_BYTES = 16 * 1024;
const ESCAPE = '\u001b';
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const DELETE = '\u007f';

/** What a secret read here is, in messages: `API key` or `proxy password`. */
type SecretKind = 'API key' | 'proxy password';

function checkedSecret(text: string, origin: string, what: SecretKind = 'API key'): string {
  const key = text.trim();
  if (key === '') throw new VigilError('INPUT_INVALID', `The ${what} from ${origin} is empty.`);
  if (/[\r\n]/.test(key)) {
    throw new VigilError('INPUT_INVALID', `The ${what} from ${origin} spans several lines; give it alone.`);
  }
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
    throw new VigilError(
      'INPUT_INVALID',
      `The ${what} from ${origin} is longer than ${MAX_KEY_BYTES} bytes.`,
    );
  }
  return key;
}

async function readSecretFile(path: string, what: SecretKind, flag: string): Promise<string> {
  try {
    return checkedSecret(await readBoundedFile(path, MAX_KEY_BYTES + 2), `the file ${path}`, what);
  } catch (error) {
    if (error instanceof VigilError) throw error;
    const reason = (error as FileRefused).reason;
    throw new VigilError('INPUT_INVALID', `Cannot read the ${what} file ${path} (${reason}).`, {
      hint: `Point ${flag} at a readable file that holds only the ${what}.`,
    });
  }
}

async function readAll(
  stream: AsyncIterable<Buffer | string>,
  what: SecretKind = 'API key',
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > MAX_KEY_BYTES + 2) {
      throw new VigilError('INPUT_INVALID', `The ${what} from stdin is longer than ${MAX_KEY_BYTES} bytes.`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Reads a line from a terminal without echoing it: raw mode, Enter ends, Backspace deletes,
 * Ctrl-C or Ctrl-D on an empty line cancels (INPUT_INVALID), escape sequences are ignored.
 */
export function promptHidden(
  question: string,
  io: Pick<SecretInputIo, 'stdin' | 'promptOutput'>,
): Promise<string> {
  const input = io.stdin;
  return new Promise((resolve, reject) => {
    const wasRaw = input.isRaw === true;
    let value = '';
    const finish = (cancelled: boolean) => {
      input.off('data', onData);
      input.setRawMode?.(wasRaw);
      input.pause();
      io.promptOutput.write('\n');
      if (cancelled) reject(new VigilError('INPUT_INVALID', 'No API key was entered.'));
      else resolve(value);
    };
    let inEscape = false;
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (inEscape) {
          inEscape = !/[A-Za-z~]/.test(char);
          continue;
        }
        if (char === ESCAPE) inEscape = true;
        else if (char === '\r' || char === '\n') return finish(false);
        else if (char === CTRL_C || (char === CTRL_D && value === '')) return finish(true);
        else if (char === DELETE || char === '\b') value = value.slice(0, -1);
        else if (char >= ' ') value += char;
      }
    };
    io.promptOutput.write(question);
    input.setRawMode?.(true);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.resume();
  });
}

/**
 * The API key from the first source that has one: `--api-key-file`, `--api-key-stdin`, the
 * vendor's environment variable, then a no-echo prompt on a terminal. Undefined when none
 * applies. INPUT_INVALID for both file and stdin at once, an unreadable file, or an empty key;
 * no message ever contains the key.
 */
export async function readApiKey(sources: ApiKeySources, io: SecretInputIo): Promise<string | undefined> {
  if (sources.file !== undefined && sources.stdin === true) {
    throw new VigilError(
      'INPUT_INVALID',
      'Give the API key with either --api-key-file or --api-key-stdin, not both.',
    );
  }
  if (sources.file !== undefined) return readSecretFile(sources.file, 'API key', '--api-key-file');
  if (sources.stdin === true) {
    if (io.stdin.isTTY === true) return checkedSecret(await promptHidden('API key: ', io), 'the terminal');
    return checkedSecret(await readAll(io.stdin), 'stdin');
  }
  const fromEnv = sources.envVar === undefined ? undefined : io.env[sources.envVar];
  if (sources.envVar !== undefined && fromEnv !== undefined && fromEnv.trim() !== '') {
    return checkedSecret(fromEnv, sources.envVar);
  }
  if (sources.prompt !== undefined && io.stdin.isTTY === true) {
    return checkedSecret(await promptHidden(sources.prompt, io), 'the terminal');
  }
  return undefined;
}

/** Where a proxy password comes from: like the API key, never inside `--proxy` (it shows in `ps`). */
export interface ProxyPasswordSources {
  /** `--proxy-password-file PATH`. */
  file?: string | undefined;
  /** `--proxy-password-stdin` (a no-echo prompt on a terminal). */
  stdin?: boolean | undefined;
}

/** The variable a proxy password may come from. */
export const PROXY_PASSWORD_VARIABLE = 'VIGIL_PROXY_PASSWORD';

/**
 * The proxy password from `--proxy-password-file`, `--proxy-password-stdin` (or a no-echo prompt
 * on a terminal), else VIGIL_PROXY_PASSWORD; undefined when none gives one. INPUT_INVALID for
 * both file and stdin, an unreadable file, or an empty password; no message contains it.
 */
export async function readProxyPassword(
  sources: ProxyPasswordSources,
  io: SecretInputIo,
): Promise<string | undefined> {
  const what = 'proxy password';
  if (sources.file !== undefined && sources.stdin === true) {
    throw new VigilError(
      'INPUT_INVALID',
      'Give the proxy password with either --proxy-password-file or --proxy-password-stdin, not both.',
    );
  }
  if (sources.file !== undefined) return readSecretFile(sources.file, what, '--proxy-password-file');
  if (sources.stdin === true) {
    if (io.stdin.isTTY === true)
      return checkedSecret(await promptHidden('Proxy password: ', io), 'the terminal', what);
    return checkedSecret(await readAll(io.stdin, what), 'stdin', what);
  }
  const fromEnv = io.env[PROXY_PASSWORD_VARIABLE];
  if (fromEnv !== undefined && fromEnv.trim() !== '')
    return checkedSecret(fromEnv, PROXY_PASSWORD_VARIABLE, what);
  return undefined;
}
