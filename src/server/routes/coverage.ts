import { z } from 'zod';
import type { ActorCoverageReport } from '../../app/coverage.ts';
import type { ActorCoverage, ActorCoverageLine } from '../../coverage/model.ts';
import { verdicts } from '../../coverage/model.ts';
import type { NavigatorLayer } from '../../coverage/navigator.ts';
import type { StixBundle } from '../../coverage/stix.ts';
import { errorResponses, type RoutePlugin } from '../route-module.ts';

/** What the coverage routes call (`vigil.coverage`). */
export interface CoveragePort {
  summary(): Promise<ActorCoverageLine[]>;
  ofActor(reference: string): Promise<ActorCoverageReport>;
  matrixSvg(reference: string): Promise<string>;
  navigatorLayer(reference: string): Promise<{ coverage: ActorCoverage; layer: NavigatorLayer }>;
  stixBundle(reference: string): Promise<{ coverage: ActorCoverage; bundle: StixBundle }>;
}

const verdictSchema = z.enum(verdicts as [(typeof verdicts)[number], ...(typeof verdicts)[number][]]);
const verdictCountsSchema = z.record(verdictSchema, z.number().int());
const actorSchema = z.object({ key: z.string(), name: z.string(), id: z.unknown() });

const lineSchema = z
  .object({
    actor: actorSchema,
    techniques: z.number().int(),
    tested: z.number().int(),
    detected: z.number().int().describe('prevented + alerted + detected'),
    missed: z.number().int(),
    missedShare: z.number(),
  })
  .meta({ id: 'ActorCoverageLine' });

const coverageSchema = z
  .object({
    actor: actorSchema,
    techniques: z.array(
      z.object({
        id: z.string(),
        name: z.string().nullable(),
        tactics: z.array(z.string()),
        sources: z.array(
          z.object({
            via: z.enum(['tag', 'threat']),
            tag: z.string().nullable(),
            threat: z.object({ key: z.string(), name: z.string() }).optional(),
          }),
        ),
        verdict: verdictSchema,
        testedAt: z.string().optional(),
        validationId: z.string().optional(),
        evidence: z.string().optional(),
      }),
    ),
  })
  .meta({ id: 'ActorCoverage' });

const totalsSchema = z
  .object({
    techniques: z.number().int(),
    byVerdict: verdictCountsSchema,
    byTactic: z.array(
      z.object({
        tactic: z.string().nullable(),
        techniques: z.number().int(),
        byVerdict: verdictCountsSchema,
      }),
    ),
  })
  .meta({ id: 'CoverageTotals' });

const actorParams = z.object({
  actor: z.string().min(1).max(300).describe('the ThreatConnect id or name of the actor'),
});

/** A file name for Content-Disposition: the actor's name with anything but letters, digits, `.`, `_`, `-` replaced. */
function fileName(actor: ActorCoverage['actor'], suffix: string): string {
  const safe = actor.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'actor';
  return `${safe}-${suffix}.json`;
}

const download = (description: string) => ({
  description,
  content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
});

/**
 * `/coverage` (viewer): every synced actor in one line, worst covered first; one actor's
 * techniques × latest verdicts with totals; its ATT&CK matrix as SVG; its Navigator layer and
 * STIX bundle as downloads. `:actor` is a ThreatConnect id or name (404 unknown, 400 ambiguous).
 */
export function coverageRoutes(coverage: CoveragePort): RoutePlugin {
  return async (app) => {
    app.get(
      '/coverage',
      {
        config: { access: 'viewer' },
        schema: {
          summary: 'Every synced threat actor in one line, by the share of techniques missed',
          response: { 200: z.object({ actors: z.array(lineSchema) }), ...errorResponses() },
        },
      },
      async () => ({ actors: await coverage.summary() }),
    );
    app.get(
      '/coverage/:actor',
      {
        config: { access: 'viewer' },
        schema: {
          summary: 'One actor’s techniques × latest validation verdicts, with totals per verdict and tactic',
          params: actorParams,
          response: {
            200: z.object({ coverage: coverageSchema, totals: totalsSchema }),
            ...errorResponses([400, 404]),
          },
        },
      },
      async (request) => coverage.ofActor(request.params.actor),
    );
    app.get(
      '/coverage/:actor/matrix.svg',
      {
        config: { access: 'viewer' },
        schema: {
          summary: 'One actor’s ATT&CK Enterprise matrix coloured by verdict (SVG)',
          params: actorParams,
          response: {
            200: { description: 'SVG document', content: { 'image/svg+xml': { schema: z.string() } } },
            ...errorResponses([400, 404]),
          },
        },
      },
      async (request, reply) =>
        reply.type('image/svg+xml; charset=utf-8').send(await coverage.matrixSvg(request.params.actor)),
    );
    app.get(
      '/coverage/:actor/navigator',
      {
        config: { access: 'viewer' },
        schema: {
          summary: 'One actor’s coverage as an ATT&CK Navigator layer (format 4.5), as a download',
          params: actorParams,
          response: { 200: download('Navigator layer 4.5'), ...errorResponses([400, 404]) },
        },
      },
      async (request, reply) => {
        const { coverage: covered, layer } = await coverage.navigatorLayer(request.params.actor);
        return reply
          .type('application/json; charset=utf-8')
          .header('content-disposition', `attachment; filename="${fileName(covered.actor, 'layer')}"`)
          .send({ ...layer });
      },
    );
    app.get(
      '/coverage/:actor/stix',
      {
        config: { access: 'viewer' },
        schema: {
          summary: 'One actor’s coverage as a STIX 2.1 bundle with stable ids, as a download',
          params: actorParams,
          response: { 200: download('STIX 2.1 bundle'), ...errorResponses([400, 404]) },
        },
      },
      async (request, reply) => {
        const { coverage: covered, bundle } = await coverage.stixBundle(request.params.actor);
        return reply
          .type('application/json; charset=utf-8')
          .header('content-disposition', `attachment; filename="${fileName(covered.actor, 'stix')}"`)
          .send({ ...bundle });
      },
    );
  };
}
