import { ExpressionBuilder } from 'kysely';

/**
 * Restricts a view to what a caller may see: cases whose assignee (or handler) or whose compound
 * lies in these units (a subtree expanded by OrgLookup.subtree). Absent: no restriction.
 */
export interface ViewScope {
  unitIds: string[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function inScope(eb: ExpressionBuilder<any, any>, scope: ViewScope, columns: string[]) {
  if (scope.unitIds.length === 0) return eb.val(false);
  return eb.or(columns.map((column) => eb(column, 'in', scope.unitIds)));
}

export interface Figures {
  p50: number | null;
  p90: number | null;
  p99: number | null;
  mean: number | null;
}

/** Nearest-rank percentiles and the mean of millisecond figures, in seconds (millisecond precision). */
export function figures(millis: number[]): Figures {
  if (millis.length === 0) return { p50: null, p90: null, p99: null, mean: null };
  const sorted = [...millis].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] / 1000;
  const mean = Math.round(sorted.reduce((sum, v) => sum + v, 0) / sorted.length) / 1000;
  return { p50: rank(50), p90: rank(90), p99: rank(99), mean };
}

export const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 10000) / 10000);

export const num = (value: unknown): number => Number(value ?? 0);
