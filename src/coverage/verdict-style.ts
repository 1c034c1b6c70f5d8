import type { Verdict } from './model.ts';

/**
 * How each verdict looks in every coverage picture (Navigator layer, matrix SVG, later the web UI):
 * one palette, so a colour means the same thing everywhere. Greens for what the defences saw,
 * amber for telemetry without an alert, red for a miss, grey for untested; the reds and greens
 * differ in lightness too, so they stay apart for red-green colour-blind readers.
 */
export const verdictStyle: Readonly<Record<Verdict, { color: string; label: string; score?: number }>> = {
  prevented: { color: '#1a7f37', label: 'prevented (blocked)', score: 100 },
  alerted: { color: '#74c476', label: 'alerted', score: 75 },
  detected: { color: '#fdd663', label: 'detected (events, no alert)', score: 50 },
  missed: { color: '#d73027', label: 'missed', score: 0 },
  untested: { color: '#bdbdbd', label: 'untested' },
};

/** The score gradient matching the palette: missed (0) → detected (50) → prevented (100). */
export const verdictGradient = {
  colors: [verdictStyle.missed.color, verdictStyle.detected.color, verdictStyle.prevented.color],
  minValue: 0,
  maxValue: 100,
};
