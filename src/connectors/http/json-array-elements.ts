const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** A top-level array found in a JSON object: its elements' byte ranges and the object without it. */
export interface SplitArray {
  /** [start, end) byte offsets of each element, in order. */
  elements: Array<[number, number]>;
  /** The rest of the object (the array replaced by `[]`), parsed. */
  rest: Record<string, unknown>;
}

/**
 * Finds the array under `key` in a top-level JSON object and returns the byte range of each of
 * its elements, without building the whole document: a caller can then parse one element at a
 * time, so a vendor page whose array is tens of megabytes never exists as one object tree.
 * Returns null when the body is not an object holding that array (callers then report an invalid
 * response); malformed JSON inside an element surfaces when that element is parsed.
 */
export function splitTopLevelArray(body: Buffer, key: string): SplitArray | null {
  const wanted = Buffer.from(JSON.stringify(key));
  let depth = 0;
  let inString = false;
  let stringStart = -1;
  let lastKeyAtDepth1: Buffer | null = null;
  let arrayStart = -1;
  let arrayEnd = -1;
  let elementStart = -1;
  const elements: Array<[number, number]> = [];
  for (let i = 0; i < body.length; i++) {
    const byte = body[i] as number;
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) {
        inString = false;
        if (depth === 1) lastKeyAtDepth1 = body.subarray(stringStart, i + 1);
      }
      continue;
    }
    if (arrayStart >= 0 && arrayEnd < 0 && depth === 2 && elementStart < 0 && !isWhitespace(byte)) {
      if (byte !== CLOSE_BRACKET && byte !== COMMA) elementStart = i;
    }
    if (byte === QUOTE) {
      inString = true;
      stringStart = i;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (depth === 1 && byte === OPEN_BRACKET && arrayStart < 0 && lastKeyAtDepth1?.equals(wanted))
        arrayStart = i;
      depth++;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      if (depth === 2 && arrayStart >= 0 && arrayEnd < 0) {
        if (elementStart >= 0) elements.push([elementStart, trimEnd(body, elementStart, i)]);
        elementStart = -1;
        arrayEnd = i;
      }
      depth--;
    } else if (byte === COMMA && depth === 2 && arrayStart >= 0 && arrayEnd < 0) {
      if (elementStart >= 0) elements.push([elementStart, trimEnd(body, elementStart, i)]);
      elementStart = -1;
    } else if (depth === 1 && !isWhitespace(byte) && byte !== COLON) {
      lastKeyAtDepth1 = null;
    }
  }
  if (arrayStart < 0 || arrayEnd < 0 || depth !== 0) return null;
  const restText = `${body.toString('utf8', 0, arrayStart)}[]${body.toString('utf8', arrayEnd + 1)}`;
  try {
    const rest = JSON.parse(restText) as unknown;
    return rest !== null && typeof rest === 'object' && !Array.isArray(rest)
      ? { elements, rest: rest as Record<string, unknown> }
      : null;
  } catch {
    return null;
  }
}

function trimEnd(body: Buffer, start: number, end: number): number {
  let at = end;
  while (at > start && isWhitespace(body[at - 1] as number)) at--;
  return at;
}
