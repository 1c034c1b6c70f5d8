import type { Group, GroupKind } from '../data/model.ts';
import { pageOf, readGroupFilter, readIncludes, resolveOwner } from '../query.ts';
import { groupParam, notFound, pageParam, type TcApiHandler, type TcApiRequest } from './context.ts';

/** The singular array key of each group type (spec §4). */
const keyOf = { Adversary: 'adversary', Threat: 'threat' } as const satisfies Record<GroupKind, string>;

/**
 * GET /v2/groups/{adversaries|threats}: the groups of the owner in scope (spec §6.2), filtered
 * (`filters=`, §6.3), ids ascending, paginated (D4), with `includeTags` / `includeAttributes` /
 * `includeAdditional` (or `includes=`) inline.
 */
export function listGroups(kind: GroupKind): TcApiHandler {
  return (req) => {
    const { dataset, renderer } = req.sim;
    const owner = resolveOwner(req.query, dataset);
    const page = pageParam(req);
    const filter = readGroupFilter(req.query);
    const includes = readIncludes(req.query);
    const matching = dataset.groupsOf(owner, kind).filter(filter);
    const slice = pageOf(matching, page);
    return renderer.collection(keyOf[kind], {
      ...slice,
      items: slice.items.map((g) => renderer.groupSummary(g, includes)),
    });
  };
}

/** GET /v2/groups/{type}/{id}: one group with its `owner` object; `owner=` is ignored (spec §6.2). */
export function getGroup(kind: GroupKind): TcApiHandler {
  return (req) => ({
    [keyOf[kind]]: req.sim.renderer.groupDetail(groupParam(req, kind), readIncludes(req.query)),
  });
}

/** GET /v2/groups/{type}/{id}/attributes → `attribute[]`, ids ascending, paginated. */
export function groupAttributes(kind: GroupKind): TcApiHandler {
  return (req) => {
    const group = groupParam(req, kind);
    const page = pageOf(group.attributes, pageParam(req));
    return req.sim.renderer.collection('attribute', {
      ...page,
      items: page.items.map((a) => req.sim.renderer.attribute(a)),
    });
  };
}

/** GET /v2/groups/{type}/{id}/tags → `tag[]`: ordinary tags, then ATT&CK tags (D5), paginated. */
export function groupTags(kind: GroupKind): TcApiHandler {
  return (req) => {
    const group = groupParam(req, kind);
    return req.sim.renderer.collection('tag', pageOf(req.sim.renderer.tags(group), pageParam(req)));
  };
}

/** An adversary's visible associated groups of `kind` (all kinds when undefined), narrowed by `owner=` if given. */
function associatedOf(req: TcApiRequest, kind?: GroupKind): Group[] {
  const adversary = groupParam(req, 'Adversary');
  const owner = req.query.get('owner') === undefined ? undefined : resolveOwner(req.query, req.sim.dataset);
  return adversary.associated.filter(
    (g) => g.owner.accessible && (kind === undefined || g.kind === kind) && (!owner || g.owner === owner),
  );
}

/**
 * GET /v2/groups/adversaries/{id}/groups[/threats]: the adversary's associated groups under the
 * associated type's key (`group` with a `type` on each item, or `threat`), ids ascending,
 * paginated, with inline includes (D5). An unknown adversary → 404.
 */
export function associatedGroups(kind?: GroupKind): TcApiHandler {
  return (req) => {
    const groups = associatedOf(req, kind);
    const page = pageOf(groups, pageParam(req));
    const includes = readIncludes(req.query);
    return req.sim.renderer.collection(kind === undefined ? 'group' : keyOf[kind], {
      ...page,
      items: page.items.map((g) => req.sim.renderer.groupSummary(g, includes, kind === undefined)),
    });
  };
}

/** GET /v2/groups/adversaries/{id}/groups/threats/{threatId}: one associated threat, else 404. */
export const associatedThreat: TcApiHandler = (req) => {
  const adversary = groupParam(req, 'Adversary');
  const threat = groupParam(req, 'Threat', 'threatId');
  if (!adversary.associated.includes(threat)) throw notFound();
  return { threat: req.sim.renderer.groupDetail(threat, readIncludes(req.query)) };
};
