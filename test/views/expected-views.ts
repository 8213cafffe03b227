import { Folded } from './expected';

/* The views as the test computes them from its own fold; same definitions as docs/views.md. */
 

const round4 = (x: number) => Math.round(x * 10000) / 10000;
const rate = (a: number, b: number) => (b === 0 ? null : round4(a / b));
function pct(values: number[]) {
  if (!values.length) return { p50: null, p90: null, p99: null, mean: null };
  const s = [...values].sort((a, b) => a - b);
  const at = (p: number) => s[Math.max(0, Math.ceil((p * s.length) / 100) - 1)] / 1000;
  return { p50: at(50), p90: at(90), p99: at(99), mean: Math.round(s.reduce((a, b) => a + b, 0) / s.length) / 1000 };
}
const groupBy = <T>(items: T[], key: (t: T) => string | null) => {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k !== null) out.set(k, [...(out.get(k) ?? []), item]);
  }
  return out;
};
const sortRows = (rows: any[]) => rows.sort((a, b) => a.period.localeCompare(b.period) || a.key.localeCompare(b.key));
const area = (f: Folded, group: string, handler: (x: any) => string | null) => (x: any): string | null => {
  if (group === 'handler') return handler(x);
  if (group === 'department') return f.dept(handler(x));
  if (group === 'category') return x.category ?? f.cases.get(x.caseId).category;
  return x.area[`${group}Id`];
};

export function expectBoard(f: Folded, now: string) {
  return [...f.cases.values()].map((k) => ({
    id: k.id, status: k.status, tier: k.tier, assigneeId: k.assignee, category: k.category, channel: k.channel, urgency: k.urgency,
    compoundId: k.area.compoundId, streetId: k.area.streetId, communityId: k.area.communityId, gridId: k.area.gridId,
    receivedAt: k.receivedAt, dispatchedAt: k.dispatchedAt, dispatchDueAt: k.status === 'received' ? k.dispatchDue : null, signDueAt: k.signDue, resolveDueAt: k.status === 'accepted' ? k.round.due : null,
    sla: { policyVersion: k.terms.policyVersion, calendar: k.terms.calendar, signFor: k.terms.signFor, resolve: k.terms.resolve },
    overdue: {
      dispatch: k.status === 'received' && k.dispatchDue !== null && (k.dispatchFlag || k.dispatchDue < now),
      signFor: k.signLate || k.signFlag || (k.status === 'dispatched' && k.signDue < now),
      resolve: k.resolveLate || k.resolveFlag || (k.status === 'accepted' && k.round.due < now),
    },
    everOverdue: {
      dispatch: k.everDispatch || (k.status === 'received' && k.dispatchDue !== null && (k.dispatchFlag || k.dispatchDue < now)),
      signFor: k.everSign || k.signLate || k.signFlag || (k.status === 'dispatched' && k.signDue < now),
      resolve: k.everResolve || k.resolveLate || k.resolveFlag || (k.status === 'accepted' && k.round.due < now),
    },
    // The history lies in 2026, an official calendar year: no due time is provisional.
    provisional: false,
    returns: k.returns, escalations: k.escalations, reworks: k.reworks, reminders: k.reminders, whistles: k.whistles, openSupervisions: k.supervisionsOpen, updatedAt: k.updatedAt,
  }));
}

export function expectSatisfaction(f: Folded, group: string, period: 'day' | 'week' | 'month') {
  const key = area(f, group, (r) => r.handler);
  const rows: any[] = [];
  for (const [k, list] of groupBy(f.ratings, (r) => { const g = key(r); return g === null ? null : `${r[period]}|${g}`; })) {
    const [p, g] = k.split('|');
    const n = (x: string) => list.filter((r) => r.rating === x).length;
    rows.push({
      key: g, period: p, rated: list.length, satisfied: n('satisfied'), basicallySatisfied: n('basically_satisfied'), unsatisfied: n('unsatisfied'),
      satisfactionRate: rate(n('satisfied') + f.L.w * n('basically_satisfied'), list.length), resolutionRate: rate(list.filter((r) => r.solved).length, list.length),
    });
  }
  return sortRows(rows);
}

/**
 * Month-end rule: a dispatch counts once signed for or once its limit has passed by `now`; the rest
 * are pending. Score from exact rates; equal exact scores share a rank.
 */
export function expectThreeRates(f: Folded, group: 'handler' | 'street' | 'community', month: string, now: string, attribution: 'location' | 'assignee' = 'location') {
  const byUnit = (unit: (x: any) => string | null) => (x: any) =>
    (group === 'handler' ? unit(x) : attribution === 'assignee' ? f.unitIn(unit(x), group) : x.area[`${group}Id`]);
  const ds = groupBy(f.dispatches.filter((x) => x.month === month), byUnit((x) => x.unit));
  const rs = groupBy(f.ratings.filter((x) => x.month === month), byUnit((x) => x.handler));
  const exact = (a: number, b: number) => (b === 0 ? null : a / b);
  const rows = [...new Set([...ds.keys(), ...rs.keys()])].map((key) => {
    const d = ds.get(key) ?? [];
    const r = rs.get(key) ?? [];
    const approvedReturns = d.filter((x) => x.returnReview === 'approved').length;
    const pending = d.filter((x) => x.acceptedAt === null && x.returnReview !== 'approved' && x.due > now).length;
    const signed = d.filter((x) => x.acceptedAt !== null && x.acceptedAt <= x.due).length;
    const n = (v: string) => r.filter((x) => x.rating === v).length;
    const rates = [exact(signed, d.length - pending - approvedReturns), exact(r.filter((x) => x.solved).length, r.length), exact(n('satisfied') + f.L.w * n('basically_satisfied'), r.length)];
    const used = rates.map((v, i) => [f.L.weights[i], v]).filter(([, v]) => v !== null) as [number, number][];
    const wsum = used.reduce((s, [w]) => s + w, 0);
    const exactScore = wsum ? (used.reduce((s, [w, v]) => s + w * v, 0) / wsum) * 100 : null;
    return {
      exactScore,
      row: {
        key, dispatches: d.length, pending, approvedReturns, counted: d.length - pending - approvedReturns, signedInTime: signed, rated: r.length,
        responseRate: rates[0] === null ? null : round4(rates[0]), resolutionRate: rates[1] === null ? null : round4(rates[1]),
        satisfactionRate: rates[2] === null ? null : round4(rates[2]),
        score: exactScore === null ? null : Math.round(exactScore * 100) / 100, rank: null as number | null,
      },
    };
  });
  rows.sort((a, b) => {
    const difference = (b.exactScore ?? -1) - (a.exactScore ?? -1);
    return Math.abs(difference) > 1e-9 ? difference : a.row.key.localeCompare(b.row.key);
  });
  for (const x of rows) {
    if (x.exactScore !== null) x.row.rank = 1 + rows.filter((o) => o.exactScore !== null && o.exactScore - x.exactScore! > 1e-9).length;
  }
  return rows.map((x) => x.row);
}

export function expectResponseTimes(f: Folded, group: string, period: 'day' | 'week' | 'month') {
  const B = f.L.business;
  const rows = new Map<string, any>();
  const row = (p: string, key: string) => {
    const id = `${p}|${key}`;
    if (!rows.has(id)) rows.set(id, { key, period: p, count: 0, s: [], sb: [], r: [], rb: [], c: [], cb: [], sl: 0, rl: 0, spells: 0, h: 0, hb: 0, l: 0, lb: 0 });
    return rows.get(id);
  };
  for (const d of f.dispatches) {
    const key = area(f, group, (x) => x.unit)(d);
    if (key === null || d.acceptedAt === null) continue;
    const r = row(d[period], key);
    r.s.push(Date.parse(d.acceptedAt) - Date.parse(d.at)); r.sb.push(B(d.at, d.acceptedAt)); if (d.acceptedAt > d.due) r.sl++;
  }
  for (const x of f.rounds) {
    const key = area(f, group, (y) => y.handler)({ ...x, area: f.cases.get(x.caseId).area });
    if (key === null) continue;
    const r = row(x[period], key);
    r.count++;
    if (x.resolvedAt) { r.r.push(Date.parse(x.resolvedAt) - Date.parse(x.start)); r.rb.push(B(x.start, x.resolvedAt)); if (x.resolvedAt > x.due) r.rl++; }
    if (x.closedAt) { r.c.push(Date.parse(x.closedAt) - Date.parse(x.start)); r.cb.push(B(x.start, x.closedAt)); }
  }
  for (const c of f.custody) {
    const key = area(f, group, (x) => x.unit)(c);
    if (key === null || c.to === null) continue;
    const r = row(c[period], key);
    const held = Date.parse(c.to) - Date.parse(c.from);
    const heldB = B(c.from, c.to);
    r.spells++; r.h += held; r.hb += heldB;
    if (c.end === 'returned') { r.l += held; r.lb += heldB; }
  }
  return sortRows([...rows.values()].map((r) => ({
    key: r.key, period: r.period, count: r.count,
    signFor: { ...pct(r.s), business: pct(r.sb) }, resolve: { ...pct(r.r), business: pct(r.rb) }, close: { ...pct(r.c), business: pct(r.cb) },
    breaches: { signFor: r.sl, resolve: r.rl },
    held: { spells: r.spells, seconds: r.h / 1000, businessSeconds: r.hb / 1000, lostToReturnsSeconds: r.l / 1000, lostToReturnsBusinessSeconds: r.lb / 1000 },
  })));
}

export function expectEscalations(f: Folded, group: 'street' | 'community', period: 'day' | 'week' | 'month') {
  const rows = new Map<string, any>();
  const row = (p: string, key: string) => {
    const id = `${p}|${key}`;
    if (!rows.has(id)) rows.set(id, { key, period: p, cases: 0, escalatedCases: 0, escalationRate: null, whistledCases: 0, whistleRate: null, whistles: 0, departments: [] });
    return rows.get(id);
  };
  for (const k of f.cases.values()) {
    const key = k.area[`${group}Id`];
    if (!key) continue;
    const r = row(k[period], key);
    r.cases++; if (k.escalations > 0) r.escalatedCases++; if (k.whistles > 0) r.whistledCases++;
    r.escalationRate = rate(r.escalatedCases, r.cases); r.whistleRate = rate(r.whistledCases, r.cases);
  }
  for (const [id, list] of groupBy(f.whistles, (w) => (w.area[`${group}Id`] ? `${w[period]}|${w.area[`${group}Id`]}` : null))) {
    const [p, key] = id.split('|');
    const r = row(p, key);
    r.whistles = new Set(list.map((w) => `${w.caseId}/${w.whistleId}`)).size;
    r.departments = [...groupBy(list, (w) => w.departmentId).entries()].sort(([a], [b]) => a.localeCompare(b)).map(([departmentId, ws]) => {
      const reports = ws.filter((w) => w.reportedAt).map((w) => Date.parse(w.reportedAt) - Date.parse(w.blownAt));
      const p2 = pct(reports);
      return { departmentId, summoned: ws.length, reported: reports.length, lateReports: ws.filter((w) => w.reportedAt && w.reportedAt > w.due).length, reportSeconds: { p50: p2.p50, p90: p2.p90 } };
    });
  }
  return sortRows([...rows.values()]);
}

export function expectChain(f: Folded, caseId: string) {
  const k = f.cases.get(caseId);
  const tiers: string[] = [];
  for (const s of k.steps) if (tiers[tiers.length - 1] !== s.tier) tiers.push(s.tier);
  const ws = f.whistles.filter((w) => w.caseId === caseId);
  return {
    caseId, receivedAt: k.receivedAt, tiers,
    assignments: k.steps.map((s: any) => ({ via: s.via, tier: s.tier, assigneeId: s.assigneeId, from: s.from, to: s.to, endedBy: s.endedBy, escalationReason: s.escalationReason })),
    returns: k.steps.filter((s: any) => s.endedBy === 'returned').map((s: any) => ({ assigneeId: s.assigneeId, tier: s.tier, at: s.to, reason: s.returnReason, note: s.returnNote })),
    whistles: [...groupBy(ws, (w) => w.whistleId).values()].map((list) => ({
      whistleId: list[0].whistleId, reason: list[0].reason, blownAt: list[0].blownAt, completedAt: list[0].completedAt,
      departments: list.sort((a, b) => a.departmentId.localeCompare(b.departmentId)).map((w) => ({
        departmentId: w.departmentId, reportDueAt: w.due, reportedAt: w.reportedAt, reportSeconds: w.reportedAt ? (Date.parse(w.reportedAt) - Date.parse(w.blownAt)) / 1000 : null,
        reportedLate: w.reportedAt ? w.reportedAt > w.due : null, action: w.action, actedAt: w.actedAt,
      })),
    })),
    supervisions: f.supervisions.filter((o) => o.caseId === caseId).map(({ caseId: _, ...o }) => ({ ...o, status: o.answer === null ? 'open' : 'answered' })),
  };
}
