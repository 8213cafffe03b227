import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Actor, refuse } from '@civicloop/domain';
import { CalendarRegistry, CaseRepository, CaseView, foldCase, toCaseView } from '@civicloop/cases';
import { caseSlaView } from '@civicloop/deadlines';
import { AppConfig } from '@civicloop/platform';
import { maySeePersonalData } from '@civicloop/domain';
import { maskCaseView } from '../../auth/personal-data';

export type AsOf = { revision: number } | { time: string };

export class GetCaseQuery {
  constructor(readonly caseId: string, readonly actor: Actor, readonly asOf?: AsOf) {}
}

@QueryHandler(GetCaseQuery)
export class GetCaseHandler implements IQueryHandler<GetCaseQuery, CaseView> {
  constructor(private readonly cases: CaseRepository, private readonly config: AppConfig, private readonly calendars: CalendarRegistry) {}

  async execute({ caseId, actor, asOf }: GetCaseQuery): Promise<CaseView> {
    const options = asOf && ('revision' in asOf ? { toRevision: asOf.revision } : { toTime: asOf.time });
    const history = await this.cases.history(caseId, options);
    const { state, revision } = foldCase(history);
    if (state.status === 'none') {
      throw refuse.notFound('CASE_NOT_FOUND', asOf ? `case ${caseId} did not exist at that point` : `no case ${caseId}`);
    }
    if (asOf && 'revision' in asOf && revision < asOf.revision) {
      throw refuse.invalid('REVISION_NOT_REACHED', 'asOf', `case ${caseId} has revisions 0..${revision} only`);
    }
    // Who may see personal data depends on who holds the case now, not at the asOf point.
    const current = asOf ? (await this.cases.load(caseId)).state : state;
    const view = toCaseView(state, revision, caseSlaView(history, this.config.SLA_POLICY_FILE, await this.calendars.fresh()));
    return maySeePersonalData(actor, current) ? view : maskCaseView(view);
  }
}
