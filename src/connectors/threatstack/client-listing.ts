import type { z } from 'zod';
import { invalidResponse, type ProviderContext } from '../http/provider-errors.ts';
import { parseWithSchema } from '../http/response-body.ts';

/** A lone surrogate: in a `u` regex a valid pair is one code point, so only unpaired halves match. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * The token of the next page of one listing, or undefined when the listing is complete (no
 * token, or an empty one). `seen` holds every token already followed in this listing: a token
 * seen before means the vendor's pages cycle (A → B → A), which is a failed listing, never its
 * end — ending it there would look like a complete list and delete what was not read. A token
 * that is not valid Unicode cannot be sent; both are PROVIDER_RESPONSE_INVALID.
 */
export function nextPageToken(raw: unknown, seen: Set<string>, context: ProviderContext): string | undefined {
  if (typeof raw !== 'string' || raw === '') return undefined;
  if (LONE_SURROGATE.test(raw)) {
    throw invalidResponse(context, 'the next page token is not valid Unicode (it holds a lone surrogate)');
  }
  if (seen.has(raw)) {
    throw invalidResponse(
      context,
      `the next page token repeats one already followed in this listing (after ${seen.size + 1} pages): the pages cycle, so the listing cannot be completed`,
    );
  }
  seen.add(raw);
  return raw;
}

/** The elements of a split page, each parsed and validated only when iteration reaches it. */
export function* parseElements<T extends z.ZodType>(
  body: Buffer,
  ranges: Array<[number, number]>,
  schema: T,
  context: ProviderContext,
): Generator<z.infer<T>> {
  for (const [start, end] of ranges) {
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8', start, end));
    } catch (error) {
      throw invalidResponse(context, `an element is not valid JSON (bytes ${start}-${end})`, error);
    }
    yield parseWithSchema(schema, value, context);
  }
}
