import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { refuse } from '@civicloop/domain';
import { CaseRepository } from '@civicloop/cases';
import { CaseView, toCaseView } from '@civicloop/cases';

export type AsOf = { revision: number } | { time: string };

export class GetCaseQuery {
  constructor(readonly caseId: string, readonly asOf?: AsOf) {}
}

@QueryHandler(GetCaseQuery)
export class GetCaseHandler implements IQueryHandler<GetCaseQuery, CaseView> {
  constructor(private readonly cases: CaseRepository) {}

  async execute({ caseId, asOf }: GetCaseQuery): Promise<CaseView> {
    const options = asOf && ('revision' in asOf ? { toRevision: asOf.revision } : { toTime: asOf.time });
    const { state, revision } = await this.cases.load(caseId, options);
    if (state.status === 'none') {
      throw refuse.notFound('CASE_NOT_FOUND', asOf ? `case ${caseId} did not exist at that point` : `no case ${caseId}`);
    }
    if (asOf && 'revision' in asOf && revision < asOf.revision) {
      throw refuse.invalid('REVISION_NOT_REACHED', 'asOf', `case ${caseId} has revisions 0..${revision} only`);
    }
    return toCaseView(state, revision);
  }
}
