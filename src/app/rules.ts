import type { Logger } from 'pino';
import type { RuleJobDeps } from '../jobs/kinds/rule-evaluation.ts';
import type { RunQuery } from '../rules/evaluate.ts';
import { createRuleEvaluator, type RuleRunReport } from '../rules/evaluator.ts';
import type { TypesReadBy } from '../rules/select.ts';
import { createRuleService, type RuleService } from '../rules/service.ts';
import type { RuleRecords } from '../store/types.ts';
import { queryParser } from './query-parser.ts';

/** The rule use cases every surface calls: managing rules and alerts, and `run` (evaluate one now). */
export type RulesService = RuleService & {
  /** Evaluates the rule (id or name) now, enabled or not: fired or not, its rows, its deliveries. */
  run(reference: string): Promise<RuleRunReport>;
};

export interface RulesWiring {
  store: RuleRecords;
  /** The query engine: `vigil.query.run`. */
  runQuery: RunQuery;
  /** Parses a query (QUERY_INVALID): `rules add` refuses a query that does not parse. */
  checkQuery(text: string): void | Promise<void>;
  now(): Date;
  newId(): string;
  /** The log of the `log` action and of delivery-log troubles (made on first use). */
  logger(): Logger;
}

/**
 * The types a rule's query reads, for selecting rules after syncs. A stored query this Vigil
 * cannot parse (saved by another version) is selected after every sync, so that its failure shows
 * in its job's log rather than the rule falling silent.
 */
function typesReadByStoredQuery(typesReadBy: TypesReadBy): TypesReadBy {
  return (text) => {
    try {
      return typesReadBy(text);
    } catch {
      return 'all';
    }
  };
}

/**
 * Wires the rule service and the rule evaluator (src/rules) to the query engine: the service for
 * every surface (`vigil.rules`), the evaluator's job side for the job runtime (`vigil.jobs.rules`).
 */
export function wireRules(wiring: RulesWiring): { rules: RulesService; ruleJobs: RuleJobDeps } {
  const { store, now, newId, logger } = wiring;
  // Set from the J1QL parser, which loads (chevrotain) with the first selection after a sync.
  let typesReadBy: TypesReadBy = () => 'all';
  const evaluator = createRuleEvaluator({
    store,
    runQuery: wiring.runQuery,
    typesReadBy: (text) => typesReadBy(text),
    now,
    newId,
    webhook: {
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      random: Math.random,
      now,
      warn: (message, fields) => logger().warn(fields, message),
    },
    logAlert: (payload) =>
      logger().warn(
        { rule: payload.rule, alertId: payload.alertId, rowCount: payload.rowCount },
        payload.text,
      ),
  });
  const service = createRuleService({ store, now, newId, checkQuery: wiring.checkQuery });
  return {
    rules: { ...service, run: (reference) => evaluator.evaluateRule(reference) },
    ruleJobs: {
      evaluateRule: (ruleId) => evaluator.evaluateRule(ruleId),
      dueRules: () => evaluator.dueRules(),
      isDue: (ruleId) => evaluator.isDue(ruleId),
      rulesToEvaluateAfterSync: async (types) => {
        typesReadBy = typesReadByStoredQuery((await queryParser()).typesReadBy);
        return evaluator.rulesToEvaluateAfterSync(types);
      },
    },
  };
}
