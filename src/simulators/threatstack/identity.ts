import { type Random, randomFor } from '../common/random.ts';
import { personNames } from './data/vocabulary.ts';

export type Role = 'admin' | 'user' | 'reader';

export interface Organization {
  id: string;
  name: string;
}

export interface User {
  id: string;
  apiKey: string;
  displayName: string;
  email: string;
  ssoEnabled: boolean;
  mfaEnabled: boolean;
  userEnabled: boolean;
  lastAuthenticatedAt: number;
}

export interface Membership {
  userId: string;
  orgId: string;
  role: Role;
  /** A revoked member still "belongs" for the `ext` check (D3) but gets 403 on every /v2 call (D10). */
  revoked: boolean;
}

/** Named users that tests and the demo rely on; every one has an API key. */
export type Persona = 'admin' | 'analyst' | 'auditor' | 'former' | 'outsider';

const companies = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark', 'Wayne', 'Tyrell', 'Cyberdyne'];

function objectId(random: Random, atMs: number): string {
  return (
    Math.floor(atMs / 1000)
      .toString(16)
      .padStart(8, '0') + random.hex(16)
  );
}

function apiKey(random: Random): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let key = '';
  for (let i = 0; i < 40; i++) key += alphabet[random.int(0, alphabet.length - 1)];
  return key;
}

/**
 * Organizations, users and memberships. Two organizations (production and staging) exist; the
 * `admin` persona is an admin of both, `outsider` belongs only to staging, and the primary
 * organization has a `user`, a `reader` and a revoked member besides several plain members.
 */
export class Directory {
  readonly primary: Organization;
  readonly secondary: Organization;
  private readonly users = new Map<string, User>();
  private readonly memberships: Membership[] = [];
  private readonly personas = new Map<Persona, User>();

  constructor(seed: number, anchorMs: number) {
    const random = randomFor(seed, 'directory');
    const company = random.pick(companies);
    const orgCreated = anchorMs - 1000 * 86_400_000;
    this.primary = { id: objectId(random, orgCreated), name: `${company} Production` };
    this.secondary = { id: objectId(random, orgCreated + 86_400_000), name: `${company} Staging` };
    const domain = `${company.toLowerCase()}.example`;

    const makeUser = (name: string): User => {
      const user: User = {
        id: objectId(random, orgCreated + random.int(0, 900) * 86_400_000),
        apiKey: apiKey(random),
        displayName: name,
        email: `${name.toLowerCase().replace(/\s+/g, '.')}@${domain}`,
        ssoEnabled: random.chance(0.3),
        mfaEnabled: random.chance(0.7),
        userEnabled: true,
        lastAuthenticatedAt: anchorMs - random.int(1, 30 * 86_400) * 1000,
      };
      this.users.set(user.id, user);
      return user;
    };
    const names = [...personNames];
    const persona = (key: Persona, memberships: Array<[Organization, Role, boolean?]>): void => {
      const user = makeUser(names.shift() ?? key);
      this.personas.set(key, user);
      for (const [org, role, revoked] of memberships) {
        this.memberships.push({ userId: user.id, orgId: org.id, role, revoked: revoked ?? false });
      }
    };
    persona('admin', [
      [this.primary, 'admin'],
      [this.secondary, 'admin'],
    ]);
    persona('analyst', [[this.primary, 'user']]);
    persona('auditor', [[this.primary, 'reader']]);
    persona('former', [[this.primary, 'user', true]]);
    persona('outsider', [[this.secondary, 'admin']]);
    for (const name of names) {
      const user = makeUser(name);
      const role: Role = random.chance(0.6) ? 'user' : 'reader';
      this.memberships.push({ userId: user.id, orgId: this.primary.id, role, revoked: false });
    }
  }

  get organizations(): Organization[] {
    return [this.primary, this.secondary];
  }

  persona(key: Persona): User {
    const user = this.personas.get(key);
    if (!user) throw new Error(`unknown persona ${key}`);
    return user;
  }

  personaEntries(): Array<[Persona, User]> {
    return [...this.personas.entries()];
  }

  user(id: string): User | undefined {
    return this.users.get(id);
  }

  organization(id: string): Organization | undefined {
    return this.organizations.find((org) => org.id === id);
  }

  membership(userId: string, orgId: string): Membership | undefined {
    return this.memberships.find((m) => m.userId === userId && m.orgId === orgId);
  }

  /** Current (not revoked) members of an organization, in a stable order. */
  activeMembers(orgId: string): Array<{ user: User; membership: Membership }> {
    return this.memberships
      .filter((m) => m.orgId === orgId && !m.revoked)
      .flatMap((m) => {
        const user = this.users.get(m.userId);
        return user ? [{ user, membership: m }] : [];
      });
  }

  allMemberships(): readonly Membership[] {
    return this.memberships;
  }

  /** Adds or re-activates a membership; returns false when the user does not exist. */
  addMember(orgId: string, userId: string, role: Role): boolean {
    if (!this.users.has(userId)) return false;
    const existing = this.membership(userId, orgId);
    if (existing) {
      existing.role = role;
      existing.revoked = false;
    } else {
      this.memberships.push({ userId, orgId, role, revoked: false });
    }
    return true;
  }

  /** Revokes a membership; returns false when the user was never a member. */
  revoke(orgId: string, userId: string): boolean {
    const membership = this.membership(userId, orgId);
    if (!membership) return false;
    membership.revoked = true;
    return true;
  }
}
