import { Tier } from '../case/vocabulary';

export const UNIT_KINDS = ['district', 'street', 'community', 'grid', 'compound', 'company', 'department'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

export interface OrgUnit {
  id: string;
  kind: UnitKind;
  name: string;
  parentId: string | null;
  /** A compound names the property company that serves it. */
  companyId?: string;
}

export interface Category {
  code: string;
  name: string;
  defaultDepartmentIds?: string[];
}

/**
 * Which kinds of unit may hold a case at each tier: a property company works at grid level
 * alongside the grid, departments answer at district level.
 */
export const UNIT_KINDS_BY_TIER: Record<Tier, readonly UnitKind[]> = {
  grid: ['grid', 'company'],
  community: ['community'],
  street: ['street'],
  district: ['district', 'department'],
};

/** What the decider needs to know of the organisation tree; implemented outside the domain. */
export interface DirectoryView {
  unit(id: string): OrgUnit | undefined;
  category(code: string): Category | undefined;
  /** The unit of `kind` whose subtree contains `unitId` (the unit itself included). */
  ancestorOfKind(unitId: string, kind: UnitKind): OrgUnit | undefined;
}
