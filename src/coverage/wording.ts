// The words every coverage output uses for where a technique came from and what validation found.
import type { TechniqueSource } from './actors.ts';
import type { CoverageTechnique } from './model.ts';

/** True when evidence is a web link (http or https) rather than a bare reference. */
export const isEvidenceLink = (evidence: string | undefined): evidence is string =>
  evidence !== undefined && /^https?:\/\//i.test(evidence);

/** `tag "T1059 - …"` or `threat "Name" (tag "…")`, as `actors show` words it. */
export function describeSource(source: TechniqueSource): string {
  return source.via === 'tag'
    ? `tag "${source.tag ?? ''}"`
    : `threat "${source.threat?.name ?? ''}" (tag "${source.tag ?? ''}")`;
}

/** `alerted, tested 2026-… in validation v-12; evidence https://…` — or `untested`. */
export function describeVerdict(technique: CoverageTechnique): string {
  if (technique.verdict === 'untested') return 'untested: no validation has run this technique yet';
  const validation = technique.validationId === undefined ? '' : ` in validation ${technique.validationId}`;
  const evidence = technique.evidence === undefined ? '' : `; evidence ${technique.evidence}`;
  return `${technique.verdict}, tested ${technique.testedAt ?? 'at an unknown time'}${validation}${evidence}`;
}
