import { describe, expect, it } from 'vitest';
import { escapeXml, renderMatrixSvg } from '../../src/coverage/matrix-svg.ts';
import type { ActorCoverage } from '../../src/coverage/model.ts';
import { verdictStyle } from '../../src/coverage/verdict-style.ts';
import { VigilError } from '../../src/errors.ts';
import { copperLynx, everyVerdict, twelveAlertedEightMissed } from './scenario.ts';
import { parseWellFormedXml, type XmlElement } from './xml.ts';

const techniqueCells = (elements: XmlElement[]) => elements.filter((e) => e.attributes['data-technique']);

describe('parseWellFormedXml (the check the SVG tests rely on)', () => {
  it('accepts well-formed XML and rejects what is not', () => {
    expect(parseWellFormedXml('<?xml version="1.0"?><a x="1 &amp; 2"><b/>t &lt; u</a>')[0]).toEqual({
      name: 'a',
      attributes: { x: '1 & 2' },
      text: 't < u',
    });
    for (const bad of [
      '<a><b></a></b>',
      '<a>',
      '<a/><b/>',
      '<a>x & y</a>',
      '<a x="1" x="2"/>',
      '<a>1 < 2</a>',
      'text',
    ]) {
      expect(() => parseWellFormedXml(bad), bad).toThrow();
    }
  });
});

describe('renderMatrixSvg', () => {
  it('is well-formed SVG holding every technique of the actor, coloured by verdict', () => {
    const elements = parseWellFormedXml(
      renderMatrixSvg(twelveAlertedEightMissed(), { attackVersion: '15.1' }),
    );
    expect(elements[0]).toMatchObject({ name: 'svg', attributes: { xmlns: 'http://www.w3.org/2000/svg' } });
    const drawn = new Set(techniqueCells(elements).map((e) => e.attributes['data-technique']));
    expect([...drawn].sort()).toEqual(copperLynx.techniques.map((t) => t.id).sort());
    const fills = elements.filter((e) => e.name === 'rect').map((e) => e.attributes.fill);
    const cells = (color: string) => fills.filter((fill) => fill === color).length - 1; // minus the legend swatch
    const entries = (ids: string[]) =>
      copperLynx.techniques.filter((t) => ids.includes(t.id)).flatMap((t) => t.tactics);
    expect(cells(verdictStyle.alerted.color)).toBe(
      entries(copperLynx.techniques.slice(0, 12).map((t) => t.id)).length,
    );
    expect(cells(verdictStyle.missed.color)).toBe(
      entries(copperLynx.techniques.slice(12).map((t) => t.id)).length,
    );
    expect(elements.find((e) => e.name === 'text' && e.text.startsWith('Copper Lynx:'))?.text).toBe(
      'Copper Lynx: 20 techniques, 12 alerted, 8 missed',
    );
  });

  it('shows a technique under each of its tactics, columns in matrix order', () => {
    const elements = parseWellFormedXml(renderMatrixSvg(twelveAlertedEightMissed()));
    const cron = techniqueCells(elements).filter((e) => e.attributes['data-technique'] === 'T1053.003');
    expect(cron).toHaveLength(3);
    const headers = elements.filter(
      (e) =>
        e.name === 'text' &&
        e.attributes['font-weight'] === 'bold' &&
        e.attributes['text-anchor'] === 'middle',
    );
    expect(headers.map((h) => h.text)).toEqual([
      'Reconnaissance',
      'Resource Development',
      'Initial Access',
      'Execution',
      'Persistence',
      'Privilege Escalation',
      'Defense Evasion',
      'Credential Access',
      'Discovery',
      'Lateral Movement',
      'Collection',
      'Command and Control',
      'Exfiltration',
      'Impact',
    ]);
  });

  it('hatches untested techniques with an SVG pattern and lists every verdict in the legend', () => {
    const svg = renderMatrixSvg(everyVerdict(), { idPrefix: 'actor-1001' });
    const elements = parseWellFormedXml(svg);
    expect(elements.find((e) => e.name === 'pattern')?.attributes.id).toBe('actor-1001-untested-hatch');
    const untested = techniqueCells(elements).filter(
      (e) => e.attributes.class === 'technique verdict-untested',
    );
    expect(untested).toHaveLength(4);
    expect(svg).toContain('fill="url(#actor-1001-untested-hatch)"');
    const legend = elements.filter((e) => e.name === 'text' && /: \d+$/.test(e.text)).map((e) => e.text);
    expect(legend).toEqual([
      'prevented (blocked): 4',
      'alerted: 4',
      'detected (events, no alert): 4',
      'missed: 4',
      'untested: 4',
    ]);
  });

  it('escapes every text and survives hostile names', () => {
    const hostile: ActorCoverage = {
      actor: { key: 'k', name: `Evil <script>"&'`, id: null },
      techniques: [
        {
          id: 'T1059',
          name: 'A & B <c>',
          tactics: ['execution'],
          sources: [],
          verdict: 'missed',
          testedAt: '2026-11-30T10:00:00Z',
        },
        { id: 'T1999', name: null, tactics: [], sources: [], verdict: 'untested' },
      ],
    };
    const svg = renderMatrixSvg(hostile);
    expect(svg).not.toContain('<script>');
    const elements = parseWellFormedXml(svg);
    expect(elements.find((e) => e.name === 'title')?.text).toBe(`Evil <script>"&': detection coverage`);
    expect(elements.some((e) => e.name === 'text' && e.text === 'A & B <c>')).toBe(true);
    expect(elements.some((e) => e.name === 'text' && e.text === 'Other / unknown tactic')).toBe(true);
    expect(escapeXml(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&apos;');
  });

  it('is deterministic and refuses an id prefix that is not an XML name', () => {
    expect(renderMatrixSvg(everyVerdict())).toBe(renderMatrixSvg(everyVerdict()));
    expect(() => renderMatrixSvg(everyVerdict(), { idPrefix: '"><script>' })).toThrow(VigilError);
  });
});
