import { z } from 'zod';
import { HttpError } from '../../common/http.ts';
import type { Directory } from '../identity.ts';
import { type ApiHandler, arrayAfter, listPage, ok, parseBody } from './context.ts';

const indexCursor = z.number().int().min(-1);

/** GET /v2/organizations/members (the simulator adds a token per D5). */
export function listMembers(directory: Directory): ApiHandler {
  return (req) => {
    const members = directory.activeMembers(req.data.org.id);
    return listPage(
      req,
      'members',
      indexCursor,
      (after) => arrayAfter(members, after),
      ([i]) => i,
      ([, { user, membership }]) => ({
        role: membership.role,
        ssoEnabled: user.ssoEnabled,
        displayName: user.displayName,
        userEnabled: user.userEnabled,
        lastAuthenticatedAt: user.lastAuthenticatedAt,
        mfaEnabled: user.mfaEnabled,
        id: user.id,
        email: user.email,
      }),
    );
  };
}

const memberBody = z.object({ role: z.enum(['admin', 'user', 'reader']), id: z.string().min(1) });

/** POST /v2/organizations/members {role, id}: adds an existing user. */
export function addMember(directory: Directory): ApiHandler {
  return (req) => {
    const body = parseBody(req, memberBody);
    if (!directory.addMember(req.data.org.id, body.id, body.role)) throw new HttpError(404, 'User not found');
    return ok({ id: body.id, role: body.role });
  };
}

/** DELETE /v2/organizations/members/:userId → 204; the membership is revoked. */
export function removeMember(directory: Directory): ApiHandler {
  return (req) => {
    const membership = directory.membership(req.params.userId ?? '', req.data.org.id);
    if (!membership || membership.revoked) throw new HttpError(404, 'Member not found');
    directory.revoke(req.data.org.id, membership.userId);
    return { status: 204, json: null };
  };
}

const inviteBody = z.object({ role: z.enum(['admin', 'user', 'reader']), email: z.email() });

/** POST or PUT /v2/organizations/invites {role, email} → {sentToEmail, role, status}. */
export const invite: ApiHandler = (req) => {
  const body = parseBody(req, inviteBody);
  const sent = { sentToEmail: body.email, role: body.role, status: 'pending' as const };
  req.data.invites.push(sent);
  return ok(sent);
};
