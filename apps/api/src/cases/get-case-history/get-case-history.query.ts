import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { refuse } from '@civicloop/domain';
import { RecordedEvent } from '@civicloop/event-store';
import { CaseRepository } from '@civicloop/cases';

export class GetCaseHistoryQuery {
  constructor(readonly caseId: string) {}
}

export type HistoryEntry = Pick<RecordedEvent, 'type' | 'data' | 'metadata' | 'revision' | 'position'>;

@QueryHandler(GetCaseHistoryQuery)
export class GetCaseHistoryHandler implements IQueryHandler<GetCaseHistoryQuery, HistoryEntry[]> {
  constructor(private readonly cases: CaseRepository) {}

  async execute({ caseId }: GetCaseHistoryQuery): Promise<HistoryEntry[]> {
    const events = await this.cases.history(caseId);
    if (events.length === 0) throw refuse.notFound('CASE_NOT_FOUND', `no case ${caseId}`);
    return events.map(({ type, data, metadata, revision, position }) => ({ type, data, metadata, revision, position }));
  }
}
