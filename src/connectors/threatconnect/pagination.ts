/** One v2 list page as the client read it. */
export interface V2Page<T> {
  items: T[];
  /** Whether the page carried its list at all (`data.<key>` present and not null). */
  listed: boolean;
  /** The `resultLimit` this page was asked for. */
  limit: number;
  /** `resultCount` as sent; only meaningful on the page at resultStart=0. */
  resultCount: number | undefined;
}

export interface PaginationHooks {
  /** The error to throw when a page repeats the previous one (a server that ignores resultStart). */
  repeatedPage(start: number): Error;
  /** The error to throw when a page's `resultCount` promises items that the page does not list. */
  contradiction(start: number, resultCount: number, listed: boolean): Error;
  /** Told when a short page ends the list before `resultCount` items were read (data changed, or a capped server). */
  endedShort?(read: number, total: number): void;
}

/**
 * Walks ThreatConnect's v2 offset pagination (spec §5): asks for the page at `resultStart` = the
 * number of items read so far; reads `resultCount` from the first page only, and its absence
 * never means 0; ends on a short or empty page, or once `resultCount` items are read; yields each
 * non-empty page. A page whose `resultCount` says there are items past `resultStart` but that has
 * no list, or a first page that lists none, is refused: it is a broken answer, not an empty
 * account (treating it as one would delete everything the account holds). `fetchPage` returns null when the list vanished (a 404 on a sub-collection),
 * which ends it quietly. A page identical in its first item to the previous one is refused, so a
 * server that ignores `resultStart` cannot loop a sync forever.
 */
export async function* pageThrough<T>(
  fetchPage: (start: number) => Promise<V2Page<T> | null>,
  hooks: PaginationHooks,
): AsyncGenerator<T[]> {
  let start = 0;
  let total: number | undefined;
  let previousFirst: string | undefined;
  for (;;) {
    const page = await fetchPage(start);
    if (page === null) return;
    if (start === 0) total = page.resultCount;
    const promised = page.resultCount;
    const missing = page.items.length === 0 && (start === 0 || !page.listed);
    if (missing && promised !== undefined && promised > start) {
      throw hooks.contradiction(start, promised, page.listed);
    }
    if (page.items.length > 0) {
      const first = JSON.stringify(page.items[0]);
      if (first === previousFirst) throw hooks.repeatedPage(start);
      previousFirst = first;
      yield page.items;
    }
    start += page.items.length;
    if (total !== undefined && start >= total) return;
    if (page.items.length < page.limit) {
      if (total !== undefined) hooks.endedShort?.(start, total);
      return;
    }
  }
}
