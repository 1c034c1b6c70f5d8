import { describe, expect, it } from 'vitest';
import type { Entity, Relationship } from '../graph/types.ts';
import type { GraphKind } from '../store/types.ts';
import type { IntegrationStep } from './types.ts';
import { BufferedWriter } from './writer.ts';

const step: IntegrationStep<unknown> = {
  id: 'fetch-things',
  name: 'Fetch things',
  entityTypes: ['thing'],
  relationshipTypes: [],
  dependsOn: [],
  execute: async () => undefined,
};

function things(count: number): Entity[] {
  return Array.from({ length: count }, (_, i) => ({
    _key: `thing:${i}`,
    _type: 'thing',
    _class: 'Thing',
    displayName: `thing ${i}`,
    properties: {},
  }));
}

describe('BufferedWriter', () => {
  it('takes one batch of 200 000 items without overflowing the stack (a vendor page that large is legal)', async () => {
    const written: Array<{ kind: GraphKind; size: number }> = [];
    const writer = new BufferedWriter(step, new AbortController().signal, async (kind, batch) => {
      written.push({ kind, size: (batch as Entity[] | Relationship[]).length });
    });
    await writer.entities(things(200_000));
    await writer.flush();
    expect(written).toEqual([{ kind: 'entity', size: 200_000 }]);
  });
});
