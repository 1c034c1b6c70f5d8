/**
 * The 14 ATT&CK Enterprise tactics as MITRE's kill-chain phase short names, in matrix order
 * (Reconnaissance first, Impact last).
 */
export const enterpriseTactics = [
  'reconnaissance',
  'resource-development',
  'initial-access',
  'execution',
  'persistence',
  'privilege-escalation',
  'defense-evasion',
  'credential-access',
  'discovery',
  'lateral-movement',
  'collection',
  'command-and-control',
  'exfiltration',
  'impact',
] as const;

export type EnterpriseTactic = (typeof enterpriseTactics)[number];

const matrixPosition = new Map<string, number>(enterpriseTactics.map((tactic, index) => [tactic, index]));

/** True for one of the 14 Enterprise tactic short names. */
export function isEnterpriseTactic(name: string): name is EnterpriseTactic {
  return matrixPosition.has(name);
}

/**
 * De-duplicates tactic short names and puts them in matrix order, so that a technique's tactics
 * read the same whichever order a STIX bundle lists its kill-chain phases in. Names that are not
 * Enterprise tactics (a future ATT&CK release may add some) keep their relative order, after the
 * known ones.
 */
export function orderTactics(tactics: Iterable<string>): string[] {
  const unique = [...new Set(tactics)];
  const position = (tactic: string) => matrixPosition.get(tactic) ?? enterpriseTactics.length;
  return unique
    .map((tactic, index) => ({ tactic, index }))
    .sort((a, b) => position(a.tactic) - position(b.tactic) || a.index - b.index)
    .map(({ tactic }) => tactic);
}
