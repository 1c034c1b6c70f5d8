import { z } from 'zod';
import type { QueryOptions, QueryResult } from '../../query/result.ts';
import { errorResponses, type RoutePlugin } from '../route-module.ts';

/** Runs J1QL over the graph: `vigil.query` (QUERY_INVALID, with line, column and caret, for a bad query). */
export interface QueryPort {
  run(text: string, options?: QueryOptions): Promise<QueryResult>;
}

/** The most results one request may ask for, and what it gets when it asks for none. */
export const maxQueryLimit = 10_000;
const defaultQueryLimit = 1000;

const queryBodySchema = z
  .object({
    query: z.string().trim().min(1, 'a query cannot be empty').max(10_000),
    limit: z.number().int().min(1).max(maxQueryLimit).default(defaultQueryLimit),
  })
  .strict();

/** A list entity or a table row: JSON values keyed by field, property or RETURN label. */
const rowSchema = z.record(z.string(), z.unknown());

const queryResultSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('list'), data: z.array(rowSchema) }),
    z.object({ type: z.literal('table'), data: z.array(rowSchema) }),
  ])
  .meta({ id: 'QueryResult' });

/**
 * `POST /query` (viewer): one J1QL query, answered in JupiterOne's result shape — `list` of the
 * FIND entities without RETURN, `table` of rows with it — at most `limit` results (the smaller of
 * it and the query's LIMIT). A query that does not parse is a 400 QUERY_INVALID naming where.
 */
export function queryRoutes(query: QueryPort): RoutePlugin {
  return async (app) => {
    app.post(
      '/query',
      {
        config: { access: 'viewer' },
        schema: {
          summary: 'Run a J1QL query over the graph (JupiterOne result shape)',
          body: queryBodySchema,
          response: { 200: queryResultSchema, ...errorResponses([400]) },
        },
      },
      async (request) => query.run(request.body.query, { limit: request.body.limit }),
    );
  };
}
