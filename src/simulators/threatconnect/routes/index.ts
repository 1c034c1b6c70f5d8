import { Router } from '../../common/http.ts';
import type { TcApiHandler } from './context.ts';
import {
  associatedGroups,
  associatedThreat,
  getGroup,
  groupAttributes,
  groupTags,
  listGroups,
} from './groups.ts';
import { getOwner, listOwners, myOwner, whoami } from './owners.ts';
import { getTag, listTags } from './tags.ts';

/** Every v2 route of the spec's checklist (§10, D8), relative to the API root; literal paths first. */
export function buildApiRouter(): Router<TcApiHandler> {
  return new Router<TcApiHandler>()
    .add('GET', '/v2/owners', listOwners)
    .add('GET', '/v2/owners/mine', myOwner)
    .add('GET', '/v2/owners/:id', getOwner)
    .add('GET', '/v2/whoami', whoami)
    .add('GET', '/v2/groups/adversaries', listGroups('Adversary'))
    .add('GET', '/v2/groups/adversaries/:id', getGroup('Adversary'))
    .add('GET', '/v2/groups/adversaries/:id/attributes', groupAttributes('Adversary'))
    .add('GET', '/v2/groups/adversaries/:id/tags', groupTags('Adversary'))
    .add('GET', '/v2/groups/adversaries/:id/groups', associatedGroups())
    .add('GET', '/v2/groups/adversaries/:id/groups/threats', associatedGroups('Threat'))
    .add('GET', '/v2/groups/adversaries/:id/groups/threats/:threatId', associatedThreat)
    .add('GET', '/v2/groups/threats', listGroups('Threat'))
    .add('GET', '/v2/groups/threats/:id', getGroup('Threat'))
    .add('GET', '/v2/groups/threats/:id/attributes', groupAttributes('Threat'))
    .add('GET', '/v2/groups/threats/:id/tags', groupTags('Threat'))
    .add('GET', '/v2/tags', listTags)
    .add('GET', '/v2/tags/:tagName', getTag);
}
