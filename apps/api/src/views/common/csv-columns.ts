export type CsvView = 'board' | 'satisfaction' | 'three-rates' | 'response-times' | 'escalations' | 'chain';

const figures = (prefix: string) => ['p50', 'p90', 'p99', 'mean', 'business.p50', 'business.p90', 'business.p99', 'business.mean'].map((f) => `${prefix}.${f}`);

/**
 * The header of each view's CSV, written even when no row matches (rows are flattened to dotted
 * columns, a name beside each id). A column a row has beyond these is appended, so a new field
 * of a view shows up in its export before it is listed here.
 */
export const CSV_COLUMNS: Record<CsvView, readonly string[]> = {
  board: [
    'id', 'status', 'tier', 'assigneeId', 'assigneeName', 'category', 'categoryName', 'channel', 'urgency', 'compoundId', 'compoundName',
    'streetId', 'streetName', 'communityId', 'communityName', 'gridId', 'gridName', 'receivedAt', 'dispatchedAt', 'signDueAt', 'resolveDueAt',
    'sla.policyVersion', 'sla.calendar', 'sla.signFor', 'sla.resolve', 'overdue.signFor', 'overdue.resolve',
    'returns', 'escalations', 'reworks', 'whistles', 'openSupervisions', 'updatedAt',
  ],
  satisfaction: ['key', 'name', 'period', 'rated', 'satisfied', 'basicallySatisfied', 'unsatisfied', 'satisfactionRate', 'resolutionRate'],
  'three-rates': ['key', 'name', 'dispatches', 'signedInTime', 'rated', 'responseRate', 'resolutionRate', 'satisfactionRate', 'score', 'rank'],
  'response-times': [
    'key', 'name', 'period', 'count', ...figures('signFor'), ...figures('resolve'), ...figures('close'), 'breaches.signFor', 'breaches.resolve',
    'held.spells', 'held.seconds', 'held.businessSeconds', 'held.lostToReturnsSeconds', 'held.lostToReturnsBusinessSeconds',
  ],
  escalations: [
    'key', 'name', 'period', 'cases', 'escalatedCases', 'escalationRate', 'whistledCases', 'whistleRate', 'whistles',
    'department.departmentId', 'department.departmentName', 'department.summoned', 'department.reported', 'department.lateReports',
    'department.reportSeconds.p50', 'department.reportSeconds.p90',
  ],
  chain: ['caseId', 'via', 'tier', 'assigneeId', 'assigneeName', 'from', 'to', 'endedBy', 'escalationReason'],
};
