import { Directory } from '@civicloop/directory';

/** Fields that hold a unit id, and the field their name goes in beside them. */
const UNIT_ID_FIELDS = ['assigneeId', 'compoundId', 'gridId', 'communityId', 'streetId', 'districtId', 'companyId', 'departmentId', 'handlerId', 'unitId', 'orderedByUnitId'];

function nameField(field: string): string | undefined {
  if (field === 'key') return 'name'; // a grouped view's key: a unit id or a category code
  if (field === 'category') return 'categoryName';
  return UNIT_ID_FIELDS.includes(field) ? `${field.slice(0, -2)}Name` : undefined;
}

/**
 * A copy of a view's answer with the directory's name beside every unit, category and department
 * id (`streetId` → `streetName`, `key` → `name`), so an export reads 夫子庙街道, not street-fuzimiao.
 * An id the directory no longer knows gets a null name. The answers are a few levels deep at most.
 */
export function withNames<T>(value: T, directory: Directory): T {
  if (Array.isArray(value)) return value.map((item: unknown) => withNames(item, directory)) as T;
  if (value === null || typeof value !== 'object') return value;
  const named: Record<string, unknown> = {};
  for (const [field, inner] of Object.entries(value)) {
    named[field] = withNames(inner, directory);
    const nameKey = nameField(field);
    if (nameKey && (typeof inner === 'string' || inner === null) && !(nameKey in value)) {
      named[nameKey] = inner === null ? null : directory.unit(inner)?.name ?? directory.category(inner)?.name ?? null;
    }
  }
  return named as T;
}
