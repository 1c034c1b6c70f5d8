import { pageOf, resolveOwner } from '../query.ts';
import { pageParam, type TcApiHandler } from './context.ts';

/**
 * GET /v2/tags[?owner=]: the ordinary tags the owner's groups carry, sorted by name, paginated.
 * ATT&CK tags are system tags without an owner and are never listed here (D5).
 */
export const listTags: TcApiHandler = (req) => {
  const { dataset, renderer } = req.sim;
  const owner = resolveOwner(req.query, dataset);
  const page = pageOf(dataset.tagsOf(owner), pageParam(req));
  return renderer.collection('tag', {
    ...page,
    items: page.items.map((name) => renderer.ordinaryTag(name, owner)),
  });
};
