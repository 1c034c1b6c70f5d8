import { type ActorCoverage, type CoverageTechnique, rollUpCoverage, verdicts } from './model.ts';
import { verdictGradient, verdictStyle } from './verdict-style.ts';
import { describeSource, describeVerdict, isEvidenceLink } from './wording.ts';

/** The Navigator release whose layer format (4.5) the layers follow. */
export const navigatorVersion = '5.1.0';

type LayerEntry = { name: string; value: string } | { divider: true };

/** One annotated technique of a layer (format 4.5 "Technique object"). */
export interface LayerTechnique {
  techniqueID: string;
  tactic?: string;
  score?: number;
  color: string;
  comment: string;
  enabled: true;
  metadata: LayerEntry[];
  links: Array<{ label: string; url: string }>;
}

/** An ATT&CK Navigator layer, format 4.5 (mitre-attack/attack-navigator `layers/spec/v4.5/layerformat.md`). */
export interface NavigatorLayer {
  name: string;
  versions: { attack: string; navigator: string; layer: '4.5' };
  domain: 'enterprise-attack';
  description: string;
  sorting: 3;
  layout: {
    layout: 'side';
    showID: true;
    showName: true;
    showAggregateScores: false;
    countUnscored: false;
    aggregateFunction: 'average';
    expandedSubtechniques: 'annotated';
  };
  hideDisabled: false;
  techniques: LayerTechnique[];
  gradient: { colors: string[]; minValue: number; maxValue: number };
  legendItems: Array<{ label: string; color: string }>;
  showTacticRowBackground: true;
  tacticRowBackground: string;
  selectTechniquesAcrossTactics: true;
  selectSubtechniquesWithParent: false;
  selectVisibleTechniques: false;
  metadata: LayerEntry[];
}

function layerTechniques(technique: CoverageTechnique): LayerTechnique[] {
  const style = verdictStyle[technique.verdict];
  const metadata: LayerEntry[] = [
    { name: 'verdict', value: technique.verdict },
    ...(technique.testedAt === undefined ? [] : [{ name: 'tested at', value: technique.testedAt }]),
    ...(technique.validationId === undefined ? [] : [{ name: 'validation', value: technique.validationId }]),
    { divider: true },
    ...technique.sources.map((source) => ({ name: 'attributed via', value: describeSource(source) })),
  ];
  const entry = {
    techniqueID: technique.id,
    ...(style.score === undefined ? {} : { score: style.score }),
    color: style.color,
    comment: describeVerdict(technique),
    enabled: true as const,
    metadata,
    links: isEvidenceLink(technique.evidence) ? [{ label: 'evidence', url: technique.evidence }] : [],
  };
  // One entry per tactic: the Navigator then annotates exactly these cells (a technique without
  // `tactic` would need the Navigator's own catalogue to be placed). Unknown tactics: let it place them.
  if (technique.tactics.length === 0) return [entry];
  const { techniqueID, ...annotations } = entry;
  return technique.tactics.map((tactic) => ({ techniqueID, tactic, ...annotations }));
}

/**
 * The actor's coverage as an ATT&CK Navigator layer (format 4.5, domain enterprise-attack) that
 * the Navigator opens as is: every technique of the actor coloured by verdict (explicit colour and
 * a score on the legend's gradient; untested ones grey and unscored), with a comment naming the
 * verdict, when and which validation, and the evidence (also as a link when it is a URL).
 * `attackVersion` is the ATT&CK release of the catalogue the tactics came from (`15.1` → `15`).
 * Pure and deterministic: the same coverage gives the same layer.
 */
export function toNavigatorLayer(
  coverage: ActorCoverage,
  options: { attackVersion: string },
): NavigatorLayer {
  const totals = rollUpCoverage(coverage);
  const counts = verdicts.map((verdict) => `${totals.byVerdict[verdict]} ${verdict}`).join(', ');
  return {
    name: `${coverage.actor.name}: detection coverage`,
    versions: {
      attack: options.attackVersion.split('.')[0] ?? options.attackVersion,
      navigator: navigatorVersion,
      layer: '4.5',
    },
    domain: 'enterprise-attack',
    description: `${totals.techniques} techniques of ${coverage.actor.name} by latest validation verdict: ${counts}.`,
    sorting: 3,
    layout: {
      layout: 'side',
      showID: true,
      showName: true,
      showAggregateScores: false,
      countUnscored: false,
      aggregateFunction: 'average',
      expandedSubtechniques: 'annotated',
    },
    hideDisabled: false,
    techniques: coverage.techniques.flatMap(layerTechniques),
    gradient: { ...verdictGradient, colors: [...verdictGradient.colors] },
    legendItems: verdicts.map((verdict) => ({
      label: verdictStyle[verdict].label,
      color: verdictStyle[verdict].color,
    })),
    showTacticRowBackground: true,
    tacticRowBackground: '#dddddd',
    selectTechniquesAcrossTactics: true,
    selectSubtechniquesWithParent: false,
    selectVisibleTechniques: false,
    metadata: [
      { name: 'actor', value: coverage.actor.name },
      { name: 'actor key', value: coverage.actor.key },
      ...verdicts.map((verdict) => ({ name: verdict, value: String(totals.byVerdict[verdict]) })),
      { name: 'generated by', value: 'Vigil' },
    ],
  };
}
