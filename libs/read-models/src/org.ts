import { DirectoryView, OrgUnit, UnitKind } from '@civicloop/domain';

export interface Area {
  compoundId: string;
  gridId: string | null;
  communityId: string | null;
  streetId: string | null;
  districtId: string | null;
  companyId: string | null;
}

/** The organisation tree as the read models need it: areas of compounds, kinds, subtrees. */
export class OrgLookup {
  private readonly areas = new Map<string, Area>();
  private readonly jurisdictions = new Map<string, string[]>();
  private readonly unitAreas = new Map<string, { streetId: string | null; communityId: string | null }>();

  constructor(private readonly directory: DirectoryView & { allUnits(): OrgUnit[] }) {}

  area(compoundId: string): Area {
    let area = this.areas.get(compoundId);
    if (!area) {
      const id = (kind: UnitKind) => this.directory.ancestorOfKind(compoundId, kind)?.id ?? null;
      area = {
        compoundId,
        gridId: id('grid'),
        communityId: id('community'),
        streetId: id('street'),
        districtId: id('district'),
        companyId: this.directory.unit(compoundId)?.companyId ?? null,
      };
      this.areas.set(compoundId, area);
    }
    return area;
  }

  /**
   * Where a unit sits (attribution=assignee): the street and community it belongs to, itself
   * included. A property company, a department or the district belongs to no street.
   */
  unitArea(unitId: string | null): { streetId: string | null; communityId: string | null } {
    if (!unitId) return { streetId: null, communityId: null };
    let area = this.unitAreas.get(unitId);
    if (!area) {
      area = {
        streetId: this.directory.ancestorOfKind(unitId, 'street')?.id ?? null,
        communityId: this.directory.ancestorOfKind(unitId, 'community')?.id ?? null,
      };
      this.unitAreas.set(unitId, area);
    }
    return area;
  }

  kind(unitId: string | null): UnitKind | null {
    return unitId ? this.directory.unit(unitId)?.kind ?? null : null;
  }

  unit(unitId: string): OrgUnit | undefined {
    return this.directory.unit(unitId);
  }

  /**
   * The units whose cases a member of `unitId` may see in the views: its subtree, and for a
   * property company the compounds it manages (they hang under grids, not under the company).
   */
  jurisdiction(unitId: string): string[] {
    let units = this.jurisdictions.get(unitId);
    if (!units) {
      const managed = this.kind(unitId) === 'company'
        ? this.directory.allUnits().filter((u) => u.kind === 'compound' && u.companyId === unitId).map((u) => u.id)
        : [];
      units = [...new Set([...this.subtree(unitId), ...managed])].sort();
      this.jurisdictions.set(unitId, units);
    }
    return units;
  }

  /** Every unit in the subtree rooted at `rootId`, the root included. */
  subtree(rootId: string): string[] {
    const children = new Map<string, string[]>();
    for (const unit of this.directory.allUnits()) {
      if (unit.parentId) children.set(unit.parentId, [...(children.get(unit.parentId) ?? []), unit.id]);
    }
    const out: string[] = [];
    const stack = this.directory.unit(rootId) ? [rootId] : [];
    while (stack.length) {
      const id = stack.pop()!;
      out.push(id);
      stack.push(...(children.get(id) ?? []));
    }
    return out.sort();
  }
}
