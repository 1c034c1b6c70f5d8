import { z } from 'zod';
import { type FaultConfig, noFaults } from '../common/faults.ts';
import type { CampaignAdversary } from './data/generate.ts';
import { attackTechniques } from './data/techniques.ts';

export type TagStyle = 'display' | 'bare' | 'legacy';
export const tagStyles: readonly TagStyle[] = ['display', 'bare', 'legacy'];

/** Size and behaviour of a ThreatConnect simulator; every field has a default. */
export interface ThreatConnectSimOptions {
  host: string;
  port: number;
  seed: number;
  /** Path segment between the host and `/v2` (D3): `/api` by default, may be empty. */
  apiRoot: string;
  /** Owners the API user can access: the default Organization, then Communities and Sources. */
  owners: number;
  /** Adversaries per accessible owner. */
  adversaries: number;
  threatsPerAdversary: number;
  /** How ATT&CK tag names are rendered in v2 (D5). */
  tagStyle: TagStyle;
  /** Status of every authentication failure (D1): 401, or 403 with the legacy switch. */
  authFailureStatus: 401 | 403;
  /** Maximum `resultLimit` (D4): 10 000, or 500 with the legacy switch. */
  maxResultLimit: number;
  /** Leave out empty array keys instead of emitting `[]` (D4). */
  omitEmptyArrays: boolean;
  /** Requests per rolling minute per credential; 0 disables the limiter (D6). */
  rateLimit: number;
  faults: FaultConfig;
  /** Override the seeded Access ID (tests use the spec's §2.4 values). */
  accessId?: string;
  /** Override the seeded secret key. */
  apiKey?: string;
  /** Override the seeded `TC-Token` (D7). */
  token?: string;
  /** Accepted clock skew in seconds (D1: 300; exactly 300 is accepted). */
  skewSeconds: number;
  /** One more adversary of the default Organization with chosen ATT&CK tags (its id follows every seeded group's). */
  campaignAdversary?: CampaignAdversary | undefined;
}

/** The in-memory dataset takes about 1.4 KB and 10 µs per group (adversary or threat); this caps it near 700 MB. */
export const MAX_GROUPS = 500_000;

const vocabulary = new Set(attackTechniques.map((t) => t.id));
const vocabularyTechnique = z
  .string()
  .refine(
    (id) => vocabulary.has(id),
    "must be a technique of the simulator's vocabulary (data/techniques.ts)",
  );

export const threatConnectSimOptionsSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(0),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(1),
    apiRoot: z
      .string()
      .refine(isApiRoot, 'must be a path such as /api, or empty')
      .default('/api')
      .transform(normaliseApiRoot),
    owners: z.number().int().min(1).max(100).default(4),
    adversaries: z.number().int().min(0).max(100_000).default(20),
    threatsPerAdversary: z.number().int().min(0).max(100).default(3),
    tagStyle: z.enum(['display', 'bare', 'legacy']).default('display'),
    authFailureStatus: z.union([z.literal(401), z.literal(403)]).default(401),
    maxResultLimit: z.number().int().min(1).max(10_000).default(10_000),
    omitEmptyArrays: z.boolean().default(false),
    rateLimit: z.number().int().min(0).max(1_000_000).default(0),
    faults: z.custom<FaultConfig>().default(noFaults),
    accessId: z
      .string()
      .regex(/^[^\s:]+$/, 'must be non-empty, without spaces or colons')
      .optional(),
    apiKey: z.string().min(1).optional(),
    token: z.string().regex(/^\S+$/, 'must be non-empty, without spaces').optional(),
    skewSeconds: z.number().int().min(0).max(86_400).default(300),
    campaignAdversary: z
      .object({
        name: z.string().trim().min(1),
        techniques: z.array(vocabularyTechnique).min(1),
        threatTechniques: z.array(vocabularyTechnique).default([]),
      })
      .optional(),
  })
  .refine((o) => o.owners * o.adversaries * (1 + o.threatsPerAdversary) <= MAX_GROUPS, {
    message: `owners × adversaries × (1 + threats per adversary) must be at most ${MAX_GROUPS}`,
  });

/** True for an API root the simulator can serve: empty, or path segments of unreserved characters. */
export function isApiRoot(text: string): boolean {
  return /^\/?([A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*)?\/?$/.test(text);
}

/** `api`, `/api/` and `/api` all mean `/api`; `''` and `/` mean no API root. */
export function normaliseApiRoot(apiRoot: string): string {
  const trimmed = apiRoot.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `/${trimmed}`;
}

/** Options with defaults filled in and the API root normalised; throws a ZodError on bad input. */
export function resolveOptions(input: Partial<ThreatConnectSimOptions> = {}): ThreatConnectSimOptions {
  return threatConnectSimOptionsSchema.parse(input);
}
