/**
 * Response shapes, imported as types from the service's own sources (the OpenAPI document types
 * requests and parameters; its responses are not described yet). Either way a contract change
 * breaks the console's build, not a user's click. Type-only: nothing of the server is bundled.
 */
export type { CaseView } from '../../../../libs/cases/src/case-view';
export type { BoardRowView as BoardRow } from '../../../../libs/read-models/src/queries/board.query';
export type { CaseChain } from '../../../../libs/read-models/src/queries/chain.query';
export type { ThreeRatesRow } from '../../../../libs/read-models/src/queries/three-rates.query';
export type { SatisfactionRow } from '../../../../libs/read-models/src/queries/satisfaction.query';
export type { ResponseTimesRow } from '../../../../libs/read-models/src/queries/response-times.query';
export type { EscalationsRow } from '../../../../libs/read-models/src/queries/escalations.query';
export type { HistoryEntry } from '../../../api/src/cases/get-case-history/get-case-history.query';
export type { DirectoryAnswer } from '../../../api/src/directory/get-directory/get-directory.query';
export type { StreamNotice } from '../../../api/src/events-stream/events-stream.controller';
export type { OrgUnit, Category, Role } from '@civicloop/domain';
