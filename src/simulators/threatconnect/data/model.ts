/** The simulated ThreatConnect objects, before they are rendered as v2 JSON. Times are epoch ms. */

export type OwnerType = 'Organization' | 'Community' | 'Source';
export const ownerTypes: readonly OwnerType[] = ['Organization', 'Community', 'Source'];

export interface Owner {
  id: number;
  name: string;
  type: OwnerType;
  /** False for the owner that exists but the API user may not read (403 `Access Denied`). */
  accessible: boolean;
}

export type GroupKind = 'Adversary' | 'Threat';

export interface Attribute {
  id: number;
  type: string;
  value: string;
  dateAdded: number;
  lastModified: number;
  displayed: boolean;
}

export interface Group {
  /** Unique across every group type, as in ThreatConnect. */
  id: number;
  kind: GroupKind;
  name: string;
  owner: Owner;
  dateAdded: number;
  lastModified: number;
  xid: string;
  createdBy: string;
  /** Ordered by id. */
  attributes: Attribute[];
  /** Names of ordinary, owner-scoped tags, sorted. */
  tags: string[];
  /** ATT&CK technique ids of the group's ATT&CK tags, sorted. */
  techniques: string[];
  /** Associated groups (an adversary's threats, a threat's adversaries), ordered by id. */
  associated: Group[];
}
