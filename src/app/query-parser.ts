import type { parseQuery } from '../query/parse.ts';
import type { typesReadBy } from '../query/types-read.ts';

/** The J1QL parser and what a parsed query reads. */
export interface QueryParser {
  parseQuery: typeof parseQuery;
  typesReadBy: typeof typesReadBy;
}

let loading: Promise<QueryParser> | undefined;

/**
 * The J1QL parser, loaded on first use: its grammar (chevrotain, a few thousand modules) costs more
 * to load than the rest of the application, and most commands (`vigil graph stats`, `runs list`)
 * never parse a query. Every caller shares the one load.
 */
export function queryParser(): Promise<QueryParser> {
  loading ??= Promise.all([import('../query/parse.ts'), import('../query/types-read.ts')]).then(
    ([parse, read]) => ({ parseQuery: parse.parseQuery, typesReadBy: read.typesReadBy }),
  );
  return loading;
}
