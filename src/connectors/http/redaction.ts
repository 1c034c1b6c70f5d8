/**
 * Blanking secrets a vendor echoes back, before any message is stored, logged or printed: each
 * secret is looked for raw, percent-encoded, in base64 (standard and url-safe) and hex, and in
 * pieces (a run of 8 or more of its characters: a key split across two strings, or cut short by
 * a length limit). A token of the text that decodes (percent, base64 or hex) to something holding
 * such a piece is blanked whole, so an encoding at any alignment is caught too.
 */

const REDACTED = '[redacted]';
/** The shortest piece of a secret that counts as the secret (shorter secrets count whole). */
const MIN_PIECE = 8;
/** Secrets shorter than this are not looked for: they would blank ordinary words. */
const MIN_SECRET = 4;

/** The forms a vendor may echo a secret in. */
function encodings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const base64 = bytes.toString('base64');
  return [
    secret,
    encodeURIComponent(secret),
    base64,
    base64.replace(/=+$/, ''),
    bytes.toString('base64url'),
    bytes.toString('hex'),
  ];
}

/** Every run of `size` characters of `form`. */
function pieces(form: string): string[] {
  const size = Math.min(MIN_PIECE, form.length);
  const result = new Set<string>();
  for (let start = 0; start + size <= form.length; start += 1) result.add(form.slice(start, start + size));
  return [...result];
}

/** Marks in `covered` every character of `text` inside an occurrence of one of `needles`. */
function markOccurrences(text: string, needles: readonly string[], covered: boolean[]): void {
  for (const needle of needles) {
    for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
      covered.fill(true, at, at + needle.length);
    }
  }
}

function safely(decode: () => string): string {
  try {
    return decode();
  } catch {
    return '';
  }
}

/** What a token of the text may stand for: percent-, base64- and hex-decoded. */
function decodings(token: string): string[] {
  const result = [safely(() => decodeURIComponent(token))];
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(token)) {
    result.push(Buffer.from(token.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('latin1'));
  }
  if (/^(?:[0-9a-fA-F]{2})+$/.test(token)) result.push(Buffer.from(token, 'hex').toString('latin1'));
  return result;
}

/** Marks every token (a run of the base64, hex and percent-encoding alphabets) that decodes to a piece of a secret. */
function markEncodedTokens(text: string, rawPieces: readonly string[], covered: boolean[]): void {
  for (const match of text.matchAll(/[A-Za-z0-9+/_%.~-]{12,}={0,2}/g)) {
    const token = match[0];
    if (decodings(token).some((decoded) => rawPieces.some((piece) => decoded.includes(piece)))) {
      covered.fill(true, match.index, match.index + token.length);
    }
  }
}

/** `text` with each secret (in any of the forms above) replaced by `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly (string | null | undefined)[] = []): string {
  const known = secrets.filter(
    (secret): secret is string => typeof secret === 'string' && secret.length >= MIN_SECRET,
  );
  if (known.length === 0 || text === '') return text;
  const covered: boolean[] = new Array(text.length).fill(false);
  for (const secret of known) {
    markOccurrences(text, encodings(secret).flatMap(pieces), covered);
    markEncodedTokens(text, pieces(secret), covered);
  }
  let result = '';
  for (let index = 0; index < text.length; index += 1) {
    if (!covered[index]) result += text[index];
    else if (index === 0 || !covered[index - 1]) result += REDACTED;
  }
  return result;
}

/** The secrets of a client's configuration: its API key and its proxy password (decoded), if any. */
export function clientSecrets(apiKey: string, proxy: string | undefined): string[] {
  if (proxy === undefined) return [apiKey];
  const password = safely(() => new URL(proxy).password);
  return password === '' ? [apiKey] : [apiKey, password, safely(() => decodeURIComponent(password))];
}

/** A URL with any `user:password@` replaced by `***@`, for messages and logs. */
export function redactUrlCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1***@');
}
