import { HttpError } from '../common/http.ts';
import type { Dataset } from './data/dataset.ts';
import type { Group, Owner } from './data/model.ts';

/** The exact failure messages of spec §2.6 that routes use. */
export const failureMessages = {
  notFound: 'The requested resource was not found',
  ownerNotFound: 'The requested owner was not found',
  accessDenied: 'Access Denied',
} as const;

/**
 * The query of an authenticated request, decoded for filtering only (D2): `+` and `%20` both
 * read as a space. Parameter names are matched case-insensitively (`Owner=` as in the docs'
 * own example works like `owner=`); repeated parameters keep every value.
 */
export class QueryParams {
  private readonly values = new Map<string, string[]>();

  constructor(rawQuery: string) {
    for (const [name, value] of new URLSearchParams(rawQuery)) {
      const key = name.toLowerCase();
      this.values.set(key, [...(this.values.get(key) ?? []), value]);
    }
  }

  /** The first value of a parameter, or undefined when absent. */
  get(name: string): string | undefined {
    return this.values.get(name.toLowerCase())?.[0];
  }

  all(name: string): string[] {
    return this.values.get(name.toLowerCase()) ?? [];
  }

  /** True when the parameter's first value is `true` (any case). */
  isTrue(name: string): boolean {
    return this.get(name)?.toLowerCase() === 'true';
  }
}

/** Which inline extras a group response carries. */
export interface Includes {
  tags: boolean;
  attributes: boolean;
  additional: boolean;
}

/** `includeTags=true` or `includes=tags` (repeated or comma-separated), and so on for attributes and additional. */
export function readIncludes(query: QueryParams): Includes {
  const listed = new Set(
    query
      .all('includes')
      .flatMap((v) => v.split(','))
      .map((v) => v.trim().toLowerCase()),
  );
  return {
    tags: query.isTrue('includeTags') || listed.has('tags'),
    attributes: query.isTrue('includeAttributes') || listed.has('attributes'),
    additional: query.isTrue('includeAdditional') || listed.has('additional'),
  };
}

export interface Page {
  start: number;
  limit: number;
}

/** The D4 pagination message, naming the configured maximum (with 500 it is the documented text). */
export function paginationMessage(maxResultLimit: number): string {
  return `The resultStart and resultLimit query parameters must be integers and the maximum value for resultLimit is ${maxResultLimit}`;
}

/**
 * Reads `resultStart` (default 0) and `resultLimit` (default 100, capped by the default at the
 * maximum). Anything but plain digits, a limit of 0 or a limit above the maximum → 400 with the
 * pagination message (D4).
 */
export function readPage(query: QueryParams, maxResultLimit: number): Page {
  const parse = (name: string, fallback: number): number => {
    const raw = query.get(name);
    if (raw === undefined) return fallback;
    if (!/^\d{1,15}$/.test(raw)) throw new HttpError(400, paginationMessage(maxResultLimit));
    return Number(raw);
  };
  const start = parse('resultStart', 0);
  const limit = parse('resultLimit', Math.min(100, maxResultLimit));
  if (limit < 1 || limit > maxResultLimit) throw new HttpError(400, paginationMessage(maxResultLimit));
  return { start, limit };
}

/** One page of an id-ordered list; `resultCount` (the total) only on the first page (D4). */
export function pageOf<T>(items: readonly T[], page: Page): { resultCount?: number; items: T[] } {
  const slice = items.slice(page.start, page.start + page.limit);
  return page.start === 0 ? { resultCount: items.length, items: slice } : { items: slice };
}

/**
 * The owner a list call acts in (spec §6.2): the default Organization without `owner=`, else
 * the owner of that exact name; an unknown name → 403 `The requested owner was not found`,
 * an owner the user cannot access → 403 `Access Denied` (D1).
 */
export function resolveOwner(query: QueryParams, dataset: Dataset): Owner {
  const name = query.get('owner');
  if (name === undefined) return dataset.defaultOrganization;
  const owner = dataset.ownerNamed(name);
  if (!owner) throw new HttpError(403, failureMessages.ownerNotFound);
  if (!owner.accessible) throw new HttpError(403, failureMessages.accessDenied);
  return owner;
}

type GroupFilter = (group: Group) => boolean;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?$/;

/** A filter date: `2017-07-13` (midnight UTC) or a date-time, UTC unless it names a zone. */
function parseFilterDate(text: string): number | undefined {
  let ms = Number.NaN;
  if (DATE.test(text)) ms = Date.parse(`${text}T00:00:00Z`);
  else if (DATE_TIME.test(text)) ms = Date.parse(/(Z|[+-]\d{2}:\d{2})$/.test(text) ? text : `${text}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

function parseFilter(text: string): GroupFilter {
  const match = /^(name|dateAdded)([=^<>])(.*)$/.exec(text.trim());
  const [, field, operator, value = ''] = match ?? [];
  if (field === 'name' && operator === '=') return (g) => g.name === value;
  if (field === 'name' && operator === '^') return (g) => g.name.startsWith(value);
  if (field === 'dateAdded' && (operator === '<' || operator === '>')) {
    const at = parseFilterDate(value);
    if (at !== undefined) return operator === '<' ? (g) => g.dateAdded < at : (g) => g.dateAdded > at;
  }
  throw new HttpError(400, `Invalid filter: ${text}`);
}

/**
 * The group filters of spec §6.3: `filters=<field><op><value>` (operators percent-encoded on the
 * wire), comma-separated and ANDed (`orParams=true` ORs them); `name` with `=` (exact) or `^`
 * (starts with), both case-sensitive; `dateAdded` with `<` or `>` against a date or date-time
 * (UTC unless a zone is given). An unknown field, operator or date → 400 `Invalid filter: …`.
 */
export function readGroupFilter(query: QueryParams): GroupFilter {
  const filters = query
    .all('filters')
    .flatMap((v) => v.split(','))
    .filter((f) => f.trim() !== '')
    .map(parseFilter);
  if (filters.length === 0) return () => true;
  return query.isTrue('orParams') ? (g) => filters.some((f) => f(g)) : (g) => filters.every((f) => f(g));
}
