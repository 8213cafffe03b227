import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flattenSlaTerms } from '@civicloop/domain';
import { ConfigInvalid, loadConfig } from '@civicloop/platform';
import {
  DataInvalid, foldDeadlineFacts, loadDefaultCalendar, loadSlaPolicy, parseSlaPolicy, pendingDeadlines, slaTermsFor,
} from '@civicloop/deadlines';

const calendar = loadDefaultCalendar();
const policy = loadSlaPolicy(undefined, [calendar.id]);

function problemsOf(raw: unknown) {
  try { parseSlaPolicy(raw, [calendar.id]); } catch (error) { return (error as DataInvalid).problems; }
  throw new Error('the policy was accepted');
}

describe('SLA policy', () => {
  it('ships a valid default policy with hotline limits', () => {
    expect(slaTermsFor(policy, 'repair.water_leak', 'normal')).toMatchObject({ signFor: 'PT2H', resolve: 'P7D', calendar: 'cn-mainland' });
    expect(slaTermsFor(policy, 'utilities.power', 'normal')).toMatchObject({ resolve: 'PT24H', calendar: 'wallclock' });
    expect(slaTermsFor(policy, 'dispute.neighbour', 'normal')).toMatchObject({ resolve: 'P15D' });
    // critical comes last: it wins over the category rule and runs on wall-clock time.
    expect(slaTermsFor(policy, 'utilities.power', 'critical')).toMatchObject({ resolve: 'PT2H', calendar: 'wallclock', policyVersion: '2026.1' });
    expect(slaTermsFor(policy, 'repair.lift', 'normal').escalateOnResolveOverdue).toEqual(['grid>community', 'community>street', 'street>district', 'district>']);
  });

  it('refuses an invalid file with the exact problems', () => {
    expect(problemsOf({
      version: '', calendar: 'moon',
      defaults: { signFor: 'PT2H', resolve: 'P1M', whistleReport: 'PT30M', supervisionAnswer: 'P1D', warnAt: 1.5 },
      rules: [{ category: 'utilities.*', urgency: 'high', resolve: 'soon', colour: 'red' }],
      escalation: { onResolveOverdue: { grid: 'grid', town: null } },
    })).toEqual([
      { path: 'version', problem: 'must be a non-empty string' },
      { path: 'calendar', problem: 'must be one of wallclock, cn-mainland, got "moon"' },
      { path: 'defaults.ratingWindow', problem: 'is required' },
      { path: 'defaults.resolve', problem: 'must be a positive ISO-8601 duration in weeks, days, hours, minutes or seconds (e.g. PT2H, P7D), got "P1M"' },
      { path: 'defaults.warnAt', problem: 'must be a fraction of the limit between 0 and 1 (exclusive), got 1.5' },
      { path: 'rules[0].urgency', problem: 'must be one of *, normal, urgent, critical' },
      { path: 'rules[0].colour', problem: 'is not a known setting (category, urgency, warnAt, calendar, signFor, resolve, whistleReport, supervisionAnswer, ratingWindow, dispatch)' },
      { path: 'rules[0].resolve', problem: 'must be a positive ISO-8601 duration in weeks, days, hours, minutes or seconds (e.g. PT2H, P7D), got "soon"' },
      { path: 'escalation.onResolveOverdue.grid', problem: 'must be a tier above grid or null, got "grid"' },
      { path: 'escalation.onResolveOverdue.town', problem: 'town is not a tier (grid, community, street, district)' },
    ]);
  });

  it('refuses to start with an invalid SLA_POLICY_FILE, naming the exact problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'civicloop-policy-'));
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, 'version: "x"\ncalendar: wallclock\ndefaults:\n  signFor: PT2H\n  resolve: P7D\n  whistleReport: PT30M\n  supervisionAnswer: P1D\n  ratingWindow: P3D\n  warnAt: 75\n');
    try {
      expect(() => loadConfig({ SLA_POLICY_FILE: file })).toThrow(ConfigInvalid);
      expect(() => loadConfig({ SLA_POLICY_FILE: file }))
        .toThrow(`SLA_POLICY_FILE ${file}: defaults.warnAt: must be a fraction of the limit between 0 and 1 (exclusive), got 75`);
      expect(loadConfig({}).SLA_POLICY_FILE).toBe('default');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names an unreadable file', () => {
    expect(() => loadSlaPolicy('/nonexistent/policy.yaml', [calendar.id])).toThrow('/nonexistent/policy.yaml: cannot be read');
  });
});

describe('pending deadlines', () => {
  let revision = 0;
  const at = (iso: string) => ({ streamId: 'case-c1', revision: revision++, metadata: { occurredAt: iso } });
  const terms = { ...slaTermsFor(policy, 'repair.water_leak', 'normal') };

  it('runs sign-for on working time from the dispatch, and names each deadline by the revision that set it', () => {
    revision = 0;
    const history = [
      { type: 'CaseReceived', data: { caseId: 'c1', category: 'repair.water_leak', urgency: 'normal', ...flattenSlaTerms(terms) }, ...at('2026-03-13T08:00:00.000Z') },
      // Friday 17:00 local: 1 h on Friday, 1 h on Monday 09:00-10:00.
      { type: 'CaseDispatched', data: { assigneeId: 'grid-111', tier: 'grid' }, ...at('2026-03-13T09:00:00.000Z') },
    ];
    expect(pendingDeadlines(foldDeadlineFacts(history), policy, calendar)).toEqual([
      { deadlineId: 'sign_for_warning@1', kind: 'sign_for_warning', dueAt: '2026-03-16T01:30:00.000Z', setAtRevision: 1, policyVersion: '2026.1' },
      { deadlineId: 'sign_for_overdue@1', kind: 'sign_for_overdue', dueAt: '2026-03-16T02:00:00.000Z', setAtRevision: 1, policyVersion: '2026.1' },
    ]);
    const warned = { type: 'SignForWarned', data: { deadlineId: 'sign_for_warning@1' }, ...at('2026-03-16T01:30:00.000Z') };
    const accepted = { type: 'CaseAccepted', data: { assigneeId: 'grid-111', tier: 'grid' }, ...at('2026-03-16T01:40:00.000Z') };
    expect(pendingDeadlines(foldDeadlineFacts([...history, warned]), policy, calendar).map((d) => d.deadlineId)).toEqual(['sign_for_overdue@1']);
    expect(pendingDeadlines(foldDeadlineFacts([...history, warned, accepted]), policy, calendar).map((d) => [d.deadlineId, d.escalateTo]))
      .toEqual([['resolution_warning@3', undefined], ['resolution_overdue@3', 'community']]);
  });

  it('keeps the terms recorded at intake when the policy changes later', () => {
    revision = 0;
    const later = parseSlaPolicy({ ...policy, version: '2027.1', defaults: { ...policy.defaults, signFor: 'PT8H' } }, [calendar.id]);
    const history = [
      { type: 'CaseReceived', data: { caseId: 'c1', category: 'repair.water_leak', urgency: 'normal', ...flattenSlaTerms(terms) }, ...at('2026-03-10T01:00:00.000Z') },
      { type: 'CaseDispatched', data: { assigneeId: 'grid-111', tier: 'grid' }, ...at('2026-03-10T01:00:00.000Z') },
    ];
    const [, overdue] = pendingDeadlines(foldDeadlineFacts(history), later, calendar);
    expect(overdue).toMatchObject({ dueAt: '2026-03-10T03:00:00.000Z', policyVersion: '2026.1' });
  });
});
