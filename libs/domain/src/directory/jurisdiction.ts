import { DirectoryView } from './directory';

/**
 * 属地: may `unitId` handle a case located in `compoundId`? A grid, community, street or district
 * covers the compounds under it; a property company the compounds it serves; a department works
 * district-wide; a compound only itself.
 */
export function coversCompound(directory: DirectoryView, unitId: string, compoundId: string): boolean {
  const unit = directory.unit(unitId);
  const compound = directory.unit(compoundId);
  if (!unit || compound?.kind !== 'compound') return false;
  switch (unit.kind) {
    case 'compound':
      return unit.id === compound.id;
    case 'company':
      return compound.companyId === unit.id;
    case 'department':
      return unit.parentId !== null && directory.ancestorOfKind(compound.id, 'district')?.id === unit.parentId;
    case 'grid': case 'community': case 'street': case 'district':
      return directory.ancestorOfKind(compound.id, unit.kind)?.id === unit.id;
    default: {
      const unknown: never = unit.kind;
      return unknown;
    }
  }
}

/** True when `unitId` lies in the subtree rooted at `rootId` (the root included). */
export function isWithin(directory: DirectoryView, unitId: string, rootId: string): boolean {
  const root = directory.unit(rootId);
  return root !== undefined && directory.ancestorOfKind(unitId, root.kind)?.id === rootId;
}
