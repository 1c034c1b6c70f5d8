import { z } from 'zod';
import { toAgentJson } from '../data/agents.ts';
import type { Ec2Cursor, Ec2Listed } from '../data/ec2.ts';
import { type ApiHandler, booleanParam, enumParam, listPage, notFound, ok } from './context.ts';

const indexCursor = z.number().int().min(-1);

/** GET /v2/agents?status=online|offline[&type][&hostname][&instanceId] */
export const listAgents: ApiHandler = (req) => {
  const status = enumParam(req, 'status', ['online', 'offline'] as const);
  const type = enumParam(req, 'type', ['monitor', 'investigate'] as const, true);
  const hostname = req.query.get('hostname');
  const instanceId = req.query.get('instanceId');
  const { agents } = req.data;
  return listPage(
    req,
    'agents',
    indexCursor,
    function* (after) {
      for (let i = after === null ? 0 : after + 1; i < agents.size; i++) {
        if (!agents.isPresent(i) || agents.status(i) !== status) continue;
        const record = agents.record(i);
        if (type !== undefined && record.agentType !== type) continue;
        if (hostname !== null && record.hostname !== hostname) continue;
        if (instanceId !== null && record.instanceId !== instanceId) continue;
        yield record;
      }
    },
    (record) => record.index,
    toAgentJson,
  );
};

/** GET /v2/agents/:id → bare agent. */
export const getAgent: ApiHandler = (req) => {
  const index = req.data.agents.indexOf(req.params.id ?? '');
  if (index === undefined) throw notFound('Agent');
  return ok(toAgentJson(req.data.agents.record(index)));
};

const ec2Cursor = z.tuple([z.union([z.literal(0), z.literal(1)]), z.number().int().min(0)]);

/** GET /v2/aws/ec2?monitored|isMonitored=true|false[&verbose=true] (D8: both parameter names). */
export const listEc2: ApiHandler = (req) => {
  const monitored = booleanParam(req, 'monitored', 'isMonitored');
  const verbose = booleanParam(req, 'verbose') ?? false;
  return listPage<Ec2Listed, Ec2Cursor>(
    req,
    'servers',
    ec2Cursor,
    (after) => req.data.ec2.iterate(monitored, after),
    (item) => item.cursor,
    (item) => item.json(verbose),
  );
};
