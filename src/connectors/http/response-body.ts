import type { z } from 'zod';
import { DEFAULT_MAX_JSON_DEPTH, exceedsJsonDepth } from './json-depth.ts';
import { invalidResponse, type ProviderContext } from './provider-errors.ts';
import type { HttpResponse } from './transport.ts';

/** PROVIDER_RESPONSE_INVALID for JSON nested deeper than allowed. */
export function tooDeepResponse(context: ProviderContext, maxDepth: number): Error {
  return invalidResponse(context, `the JSON nests deeper than ${maxDepth} levels (maxJsonDepth)`);
}

/**
 * The JSON of a 2xx body (null when the body is empty), or PROVIDER_RESPONSE_INVALID: not JSON,
 * or nested deeper than `maxDepth` (checked before parsing).
 */
export function parseJsonBody(
  response: HttpResponse,
  context: ProviderContext,
  maxDepth: number = DEFAULT_MAX_JSON_DEPTH,
): unknown {
  if (response.text.trim() === '') return null;
  if (exceedsJsonDepth(response.body, maxDepth)) throw tooDeepResponse(context, maxDepth);
  try {
    return JSON.parse(response.text);
  } catch (error) {
    throw invalidResponse(context, `the body is not JSON (${response.body.length} bytes)`, error);
  }
}

/** Parses with a zod schema; PROVIDER_RESPONSE_INVALID names the path and the field(s) that failed. */
export function parseWithSchema<T extends z.ZodType>(
  schema: T,
  value: unknown,
  context: ProviderContext,
): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 3).map((issue) => {
    const field = issue.path.map((part, i) =>
      typeof part === 'number' ? `[${part}]` : `${i > 0 ? '.' : ''}${String(part)}`,
    );
    return `${field.join('') || 'body'}: ${issue.message}`;
  });
  const more = result.error.issues.length > 3 ? ` (and ${result.error.issues.length - 3} more)` : '';
  throw invalidResponse(context, `${issues.join('; ')}${more}`, result.error);
}
