const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/** The default bound of JSON nesting: far deeper than any vendor document, far shallower than the stack. */
export const DEFAULT_MAX_JSON_DEPTH = 64;

/**
 * Whether the JSON text in `body[start, end)` nests objects and arrays deeper than `maxDepth`,
 * found in one pass over the bytes (strings skipped) before anything is parsed, so a deeply
 * nested body never reaches `JSON.parse`, a validator or the store. Malformed JSON is left to
 * the parser.
 */
export function exceedsJsonDepth(body: Buffer, maxDepth: number, start = 0, end = body.length): boolean {
  let depth = 0;
  let inString = false;
  for (let i = start; i < end; i++) {
    const byte = body[i] as number;
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth++;
      if (depth > maxDepth) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}
