import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitTopLevelArray } from './json-array-elements.ts';

function elementsOf(json: string, key: string): unknown[] | null {
  const body = Buffer.from(json);
  const split = splitTopLevelArray(body, key);
  return split === null ? null : split.elements.map(([s, e]) => JSON.parse(body.toString('utf8', s, e)));
}

describe('splitTopLevelArray', () => {
  it('splits the named array element by element and parses the rest without it', () => {
    const body = Buffer.from('{"cves":[{"a":1,"b":[1,2]}, {"s":"x,]}\\"y"} ,3,"z"],"token":"abc"}');
    const split = splitTopLevelArray(body, 'cves');
    expect(split?.rest).toEqual({ cves: [], token: 'abc' });
    expect(split?.elements.map(([s, e]) => JSON.parse(body.toString('utf8', s, e)))).toEqual([
      { a: 1, b: [1, 2] },
      { s: 'x,]}"y' },
      3,
      'z',
    ]);
  });

  it('ignores a nested array of the same name and finds the top-level one wherever it is', () => {
    expect(elementsOf('{"token":null,"meta":{"cves":[9]},"cves":[{"cves":[1]}]}', 'cves')).toEqual([
      { cves: [1] },
    ]);
    expect(elementsOf('{"cves":[]}', 'cves')).toEqual([]);
    expect(elementsOf('{ "cves" : [ 1 , 2 ] }', 'cves')).toEqual([1, 2]);
  });

  it('returns null when the array is missing, the body is not an object, or it is cut short', () => {
    expect(splitTopLevelArray(Buffer.from('{"agents":[1]}'), 'cves')).toBeNull();
    expect(splitTopLevelArray(Buffer.from('[1,2]'), 'cves')).toBeNull();
    expect(splitTopLevelArray(Buffer.from('{"cves":[1,2'), 'cves')).toBeNull();
    expect(splitTopLevelArray(Buffer.from('{"cves":"[1]"}'), 'cves')).toBeNull();
  });

  it('agrees with JSON.parse on any page of JSON values', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue()), fc.option(fc.string(), { nil: null }), (items, token) => {
        const json = JSON.stringify({ before: { cves: [0] }, cves: items, token });
        expect(elementsOf(json, 'cves')).toEqual(JSON.parse(json).cves);
      }),
      { numRuns: 300 },
    );
  });
});
