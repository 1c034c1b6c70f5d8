import { HttpError } from '../../common/http.ts';
import { failureMessages, pageOf } from '../query.ts';
import { idParam, notFound, pageParam, type TcApiHandler } from './context.ts';

/** GET /v2/owners: every owner the API user can access, ids ascending, paginated (D4). */
export const listOwners: TcApiHandler = (req) => {
  const { dataset, renderer } = req.sim;
  const page = pageOf(dataset.owners, pageParam(req));
  return renderer.collection('owner', { ...page, items: page.items.map((o) => renderer.owner(o)) });
};

/**
 * GET /v2/owners/{id} → `{resultCount: 1, owner}`; the inaccessible owner → 403 `Access Denied`
 * (as `owner=` does), an unknown id → 404.
 */
export const getOwner: TcApiHandler = (req) => {
  const owner = req.sim.dataset.ownerWithId(idParam(req));
  if (!owner) throw notFound();
  if (!owner.accessible) throw new HttpError(403, failureMessages.accessDenied);
  return { resultCount: 1, owner: req.sim.renderer.owner(owner) };
};

/** GET /v2/owners/mine → the API user's own Organization, with `resultCount: 1`. */
export const myOwner: TcApiHandler = (req) => ({
  resultCount: 1,
  owner: req.sim.renderer.owner(req.sim.dataset.defaultOrganization),
});

/** GET /v2/whoami → the API user (its user name is its Access ID). */
export const whoami: TcApiHandler = (req) => ({
  user: {
    userName: req.sim.credentials.accessId,
    firstName: 'Vigil',
    lastName: 'Integration',
    pseudonym: 'VigilApiUser',
    role: 'Api User',
  },
});
