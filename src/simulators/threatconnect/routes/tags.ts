import { techniqueNamed } from '../data/techniques.ts';
import { pageOf, resolveOwner } from '../query.ts';
import { notFound, pageParam, type TcApiHandler } from './context.ts';

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

/**
 * GET /v2/tags/{tagName} → `{"tag":{name, webLink}}` (DD v2/tags/retrieve.rst): an ordinary tag the
 * owner's groups carry (`owner=`, else the default Organization), by its exact name; else an ATT&CK
 * tag, fetched — as the documentation says — by the technique name without its id (`Phishing`,
 * `Phishing: Spearphishing Attachment`), rendered in the configured style (D5), whether or not a
 * group carries it (ATT&CK tags are system tags). Anything else is 404.
 */
export const getTag: TcApiHandler = (req) => {
  const { dataset, renderer } = req.sim;
  const owner = resolveOwner(req.query, dataset);
  const name = req.params.tagName ?? '';
  if (dataset.tagsOf(owner).includes(name)) return { tag: renderer.ordinaryTag(name, owner) };
  const technique = techniqueNamed(name);
  if (technique) return { tag: renderer.attackTag(technique.id) };
  throw notFound();
};
