import { z } from 'zod';
import { type FaultConfig, noFaults } from '../common/faults.ts';
import { type CveAgentsMode, cveAgentsModeSchema, fullCveAgents } from './cve-agents.ts';

/** Size and behaviour of a Threat Stack simulator; every field has a default. */
export interface ThreatStackSimOptions {
  host: string;
  port: number;
  seed: number;
  agents: number;
  offlineRatio: number;
  cves: number;
  findingsPerAgent: number;
  alerts: number;
  /** Requests per rolling minute per organization; 0 disables the limit (D9). */
  rateLimit: number;
  faults: FaultConfig;
  /** Delay between an action and the alert it raises. */
  detectionLatencySeconds: number;
  /** How `/v2/vulnerabilities` lists each CVE's `agents[]` (a fidelity switch; see cve-agents.ts). */
  cveAgents: CveAgentsMode;
}

export const threatStackSimOptionsSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(0),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(1),
  agents: z.number().int().min(0).max(2_000_000).default(250),
  offlineRatio: z.number().min(0).max(1).default(0.1),
  cves: z.number().int().min(1).max(1_000_000).default(400),
  findingsPerAgent: z.number().int().min(0).max(10_000).default(8),
  alerts: z.number().int().min(0).max(2_000_000).default(300),
  rateLimit: z.number().int().min(0).default(200),
  faults: z.custom<FaultConfig>().default(noFaults),
  detectionLatencySeconds: z.number().min(0).max(86_400).default(30),
  cveAgents: cveAgentsModeSchema.default(fullCveAgents),
});

/** Options with defaults filled in. */
export function resolveOptions(input: Partial<ThreatStackSimOptions> = {}): ThreatStackSimOptions {
  return threatStackSimOptionsSchema.parse(input);
}
