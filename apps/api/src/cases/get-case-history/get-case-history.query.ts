import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Actor, refuse } from '@civicloop/domain';
import { RecordedEvent } from '@civicloop/event-store';
import { CaseRepository, foldCase } from '@civicloop/cases';
import { maySeePersonalData } from '@civicloop/domain';
import { maskEventData } from '../../auth/personal-data';

export class GetCaseHistoryQuery {
  constructor(readonly caseId: string, readonly actor: Actor) {}
}

export type HistoryEntry = Pick<RecordedEvent, 'type' | 'data' | 'metadata' | 'revision' | 'position'>;

@QueryHandler(GetCaseHistoryQuery)
export class GetCaseHistoryHandler implements IQueryHandler<GetCaseHistoryQuery, HistoryEntry[]> {
  constructor(private readonly cases: CaseRepository) {}

  async execute({ caseId, actor }: GetCaseHistoryQuery): Promise<HistoryEntry[]> {
    const events = await this.cases.history(caseId);
    if (events.length === 0) throw refuse.notFound('CASE_NOT_FOUND', `no case ${caseId}`);
    const visible = maySeePersonalData(actor, foldCase(events).state);
    return events.map(({ type, data, metadata, revision, position }) =>
      ({ type, data: visible ? data : maskEventData(type, data), metadata, revision, position }));
  }
}
