import { readFileSync } from 'node:fs';
import { Category, DirectoryView, OrgUnit, ROLES, Role, UNIT_KINDS, UnitKind } from '@civicloop/domain';

export interface DirectoryUser {
  id: string;
  name: string;
  role: Role;
  unitId: string | null;
}

export interface DirectoryData {
  version: string;
  /** A directory for demos and tests only: production refuses to start with it. */
  demo?: boolean;
  units: OrgUnit[];
  categories: Category[];
  users: DirectoryUser[];
}

/** The kind of parent each kind of unit hangs under in the organisation tree. */
const PARENT_KIND: Record<UnitKind, UnitKind | null> = {
  district: null,
  street: 'district',
  community: 'street',
  grid: 'community',
  compound: 'grid',
  company: 'district',
  department: 'district',
};

export class DirectoryInvalid extends Error {
  constructor(readonly problems: string[]) {
    super(`directory is invalid:\n- ${problems.join('\n- ')}`);
  }
}

/** The organisation tree, the category catalogue and the demo users, checked once at load. */
export class Directory implements DirectoryView {
  private readonly units = new Map<string, OrgUnit>();
  private readonly categories = new Map<string, Category>();
  private readonly users = new Map<string, DirectoryUser>();

  constructor(readonly data: DirectoryData) {
    const problems = validate(data);
    if (problems.length) throw new DirectoryInvalid(problems);
    data.units.forEach((u) => this.units.set(u.id, u));
    data.categories.forEach((c) => this.categories.set(c.code, c));
    data.users.forEach((u) => this.users.set(u.id, u));
  }

  static fromFile(path: string): Directory {
    return new Directory(JSON.parse(readFileSync(path, 'utf8')) as DirectoryData);
  }

  unit(id: string): OrgUnit | undefined {
    return this.units.get(id);
  }

  category(code: string): Category | undefined {
    return this.categories.get(code);
  }

  user(id: string): DirectoryUser | undefined {
    return this.users.get(id);
  }

  ancestorOfKind(unitId: string, kind: UnitKind): OrgUnit | undefined {
    for (let unit = this.units.get(unitId); unit; unit = unit.parentId ? this.units.get(unit.parentId) : undefined) {
      if (unit.kind === kind) return unit;
    }
    return undefined;
  }

  /** True when `unitId` lies in the subtree rooted at `rootId` (the root included). */
  isWithin(unitId: string, rootId: string): boolean {
    for (let unit = this.units.get(unitId); unit; unit = unit.parentId ? this.units.get(unit.parentId) : undefined) {
      if (unit.id === rootId) return true;
    }
    return false;
  }

  allUnits(): OrgUnit[] {
    return this.data.units;
  }

  allCategories(): Category[] {
    return this.data.categories;
  }

  allUsers(): DirectoryUser[] {
    return this.data.users;
  }
}

function validate(data: DirectoryData): string[] {
  const problems: string[] = [];
  if (!data || !Array.isArray(data.units) || !Array.isArray(data.categories) || !Array.isArray(data.users)) {
    return ['the file must hold `units`, `categories` and `users` arrays'];
  }
  const byId = new Map<string, OrgUnit>();
  for (const unit of data.units) {
    if (byId.has(unit.id)) problems.push(`unit ${unit.id} is listed twice`);
    byId.set(unit.id, unit);
    if (!UNIT_KINDS.includes(unit.kind)) problems.push(`unit ${unit.id}: unknown kind ${unit.kind}`);
  }
  for (const unit of data.units) {
    const expected = PARENT_KIND[unit.kind];
    const parent = unit.parentId ? byId.get(unit.parentId) : undefined;
    if (expected === null && unit.parentId) problems.push(`unit ${unit.id}: a ${unit.kind} has no parent`);
    if (expected !== null && parent?.kind !== expected) {
      problems.push(`unit ${unit.id}: a ${unit.kind} must hang under a ${expected}, not ${unit.parentId ?? 'nothing'}`);
    }
    if (unit.kind === 'compound' && byId.get(unit.companyId ?? '')?.kind !== 'company') {
      problems.push(`compound ${unit.id}: companyId ${unit.companyId} is not a property company`);
    }
  }
  const codes = new Set<string>();
  for (const category of data.categories) {
    if (codes.has(category.code)) problems.push(`category ${category.code} is listed twice`);
    codes.add(category.code);
    for (const id of category.defaultDepartmentIds ?? []) {
      if (byId.get(id)?.kind !== 'department') problems.push(`category ${category.code}: ${id} is not a department`);
    }
  }
  for (const user of data.users) {
    if (!ROLES.includes(user.role)) problems.push(`user ${user.id}: unknown role ${user.role}`);
    if (user.unitId !== null && !byId.has(user.unitId)) problems.push(`user ${user.id}: unknown unit ${user.unitId}`);
  }
  return problems;
}
