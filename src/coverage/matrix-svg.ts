import { enterpriseTactics } from '../attack/tactics.ts';
import { VigilError } from '../errors.ts';
import { type ActorCoverage, type CoverageTechnique, rollUpCoverage, verdicts } from './model.ts';
import { verdictStyle } from './verdict-style.ts';
import { describeVerdict } from './wording.ts';

const layout = {
  margin: 16,
  columnWidth: 150,
  gap: 6,
  titleHeight: 52,
  headerHeight: 40,
  cellHeight: 36,
  legendHeight: 40,
  nameChars: 24,
};

/** Escapes text for SVG character data and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/** `command-and-control` → `Command And Control`, as the matrix heads its columns. */
function tacticTitle(tactic: string): string {
  return tactic
    .split('-')
    .map((word) => (word === 'and' ? word : `${word.charAt(0).toUpperCase()}${word.slice(1)}`))
    .join(' ');
}

function truncate(text: string, chars: number): string {
  return text.length <= chars ? text : `${text.slice(0, chars - 1)}…`;
}

/** Dark text on light fills, white on dark ones (relative luminance of a #rrggbb colour). */
function textColorOn(fill: string): string {
  const [r, g, b] = [1, 3, 5].map((at) => Number.parseInt(fill.slice(at, at + 2), 16) / 255);
  const luminance = 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
  return luminance > 0.45 ? '#1f2328' : '#ffffff';
}

/** The columns: the 14 tactics in matrix order, then one for techniques with no known tactic, if any. */
function matrixColumns(coverage: ActorCoverage): Array<{ title: string; techniques: CoverageTechnique[] }> {
  const columns = enterpriseTactics.map((tactic) => ({
    title: tacticTitle(tactic),
    techniques: coverage.techniques.filter((technique) => technique.tactics.includes(tactic)),
  }));
  const placed = new Set(columns.flatMap((column) => column.techniques));
  const elsewhere = coverage.techniques.filter((technique) => !placed.has(technique));
  return elsewhere.length === 0
    ? columns
    : [...columns, { title: 'Other / unknown tactic', techniques: elsewhere }];
}

function cellSvg(technique: CoverageTechnique, x: number, y: number, hatchId: string): string {
  const style = verdictStyle[technique.verdict];
  const fill = technique.verdict === 'untested' ? `url(#${hatchId})` : style.color;
  const ink = textColorOn(style.color);
  const name = technique.name ?? '(not in the ATT&CK catalogue)';
  const tooltip = `${technique.id} ${name}: ${describeVerdict(technique)}`;
  const { columnWidth: w, cellHeight: h } = layout;
  return [
    `<g class="technique verdict-${technique.verdict}" data-technique="${escapeXml(technique.id)}">`,
    `<title>${escapeXml(tooltip)}</title>`,
    `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="3" fill="${fill}" stroke="#57606a" stroke-width="0.5"/>`,
    `<text x="${x + 6}" y="${y + 14}" font-size="11" font-weight="bold" fill="${ink}">${escapeXml(technique.id)}</text>`,
    `<text x="${x + w - 6}" y="${y + 14}" font-size="9" text-anchor="end" fill="${ink}">${technique.verdict}</text>`,
    `<text x="${x + 6}" y="${y + 28}" font-size="10" fill="${ink}">${escapeXml(truncate(name, layout.nameChars))}</text>`,
    '</g>',
  ].join('');
}

function columnSvg(column: ReturnType<typeof matrixColumns>[number], index: number, hatchId: string): string {
  const x = layout.margin + index * (layout.columnWidth + layout.gap);
  const top = layout.margin + layout.titleHeight;
  const count = column.techniques.length;
  const header = [
    `<rect x="${x}" y="${top}" width="${layout.columnWidth}" height="${layout.headerHeight - layout.gap}" fill="#dddddd"/>`,
    `<text x="${x + layout.columnWidth / 2}" y="${top + 15}" font-size="11" font-weight="bold" text-anchor="middle">${escapeXml(column.title)}</text>`,
    `<text x="${x + layout.columnWidth / 2}" y="${top + 28}" font-size="9" text-anchor="middle" fill="#57606a">${count === 0 ? 'none used' : `${count} technique${count === 1 ? '' : 's'}`}</text>`,
  ];
  const cells = column.techniques.map((technique, row) =>
    cellSvg(technique, x, top + layout.headerHeight + row * (layout.cellHeight + layout.gap), hatchId),
  );
  return [...header, ...cells].join('\n');
}

function legendSvg(coverage: ActorCoverage, y: number, hatchId: string): string {
  const totals = rollUpCoverage(coverage).byVerdict;
  let x = layout.margin;
  return verdicts
    .map((verdict) => {
      const fill = verdict === 'untested' ? `url(#${hatchId})` : verdictStyle[verdict].color;
      const label = `${verdictStyle[verdict].label}: ${totals[verdict]}`;
      const item = [
        `<rect x="${x}" y="${y}" width="18" height="18" rx="3" fill="${fill}" stroke="#57606a" stroke-width="0.5"/>`,
        `<text x="${x + 24}" y="${y + 13}" font-size="11">${escapeXml(label)}</text>`,
      ].join('');
      x += 24 + Math.ceil(label.length * 6.5) + 28;
      return item;
    })
    .join('\n');
}

/**
 * The ATT&CK Enterprise matrix of one actor as a standalone SVG document: tactics as columns in
 * matrix order (every tactic shown, so the matrix keeps its shape; a technique in several tactics
 * appears in each), the actor's techniques as cells coloured by verdict with id, verdict and name
 * (full text in a tooltip), untested ones hatched, a legend with the count per verdict. Techniques
 * the actor does not use are omitted, so the picture shows the actor, not the catalogue. All text
 * is escaped; no clock or randomness is read, so the same coverage gives the same bytes.
 * `idPrefix` keeps the pattern id unique when several SVGs are inlined in one page.
 */
export function renderMatrixSvg(
  coverage: ActorCoverage,
  options: { attackVersion?: string; idPrefix?: string } = {},
): string {
  const prefix = options.idPrefix ?? 'vigil';
  if (!/^[A-Za-z][\w-]*$/.test(prefix)) {
    throw new VigilError('INPUT_INVALID', `The SVG id prefix '${prefix}' is not an XML name.`, {
      hint: 'Use letters, digits, - and _, starting with a letter.',
    });
  }
  const hatchId = `${prefix}-untested-hatch`;
  const columns = matrixColumns(coverage);
  const rows = Math.max(1, ...columns.map((column) => column.techniques.length));
  const width = 2 * layout.margin + columns.length * (layout.columnWidth + layout.gap) - layout.gap;
  const legendY =
    layout.margin + layout.titleHeight + layout.headerHeight + rows * (layout.cellHeight + layout.gap) + 8;
  const height = legendY + layout.legendHeight;
  const totals = rollUpCoverage(coverage);
  const summary = verdicts
    .filter((verdict) => totals.byVerdict[verdict] > 0)
    .map((verdict) => `${totals.byVerdict[verdict]} ${verdict}`)
    .join(', ');
  const subtitle = `ATT&CK Enterprise${options.attackVersion ? ` v${options.attackVersion}` : ''} · latest validation verdict per technique`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" role="img">`,
    `<title>${escapeXml(`${coverage.actor.name}: detection coverage`)}</title>`,
    `<defs><pattern id="${hatchId}" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">`,
    `<rect width="8" height="8" fill="#eeeeee"/><line x1="0" y1="0" x2="0" y2="8" stroke="${verdictStyle.untested.color}" stroke-width="4"/></pattern></defs>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${layout.margin}" y="${layout.margin + 18}" font-size="18" font-weight="bold">${escapeXml(`${coverage.actor.name}: ${totals.techniques} techniques${summary ? `, ${summary}` : ''}`)}</text>`,
    `<text x="${layout.margin}" y="${layout.margin + 38}" font-size="11" fill="#57606a">${escapeXml(subtitle)}</text>`,
    ...columns.map((column, index) => columnSvg(column, index, hatchId)),
    legendSvg(coverage, legendY, hatchId),
    '</svg>',
    '',
  ].join('\n');
}
