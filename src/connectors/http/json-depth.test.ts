import { describe, expect, it } from 'vitest';
import { exceedsJsonDepth } from './json-depth.ts';

const depth = (text: string, max: number) => exceedsJsonDepth(Buffer.from(text), max);

describe('exceedsJsonDepth', () => {
  it('counts objects and arrays alike, up to and past the bound', () => {
    expect(depth('{"a":[{"b":[]}]}', 4)).toBe(false);
    expect(depth('{"a":[{"b":[]}]}', 3)).toBe(true);
    expect(depth('[1,2,3]', 1)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(depth('{"a":"[[[[{{{{","b":"\\"[[[["}', 1)).toBe(false);
  });

  it('measures a slice of a buffer only', () => {
    const body = Buffer.from('[[[[ {"x":1} ]]]]');
    expect(exceedsJsonDepth(body, 1, 5, 12)).toBe(false);
    expect(exceedsJsonDepth(body, 1)).toBe(true);
  });
});
