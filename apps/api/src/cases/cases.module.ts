import { Module } from '@nestjs/common';
import { CasesCoreModule } from '@civicloop/cases';
import { AcceptCaseEndpoint } from './accept-case/accept-case.endpoint';
import { AddNoteEndpoint } from './add-note/add-note.endpoint';
import { ErasePersonalDataEndpoint } from './erase-personal-data/erase-personal-data.endpoint';
import { AnswerSupervisionEndpoint } from './answer-supervision/answer-supervision.endpoint';
import { BlowWhistleEndpoint } from './blow-whistle/blow-whistle.endpoint';
import { CloseCaseEndpoint } from './close-case/close-case.endpoint';
import { DecideExtensionEndpoint } from './decide-extension/decide-extension.endpoint';
import { DispatchCaseEndpoint } from './dispatch-case/dispatch-case.endpoint';
import { EscalateCaseEndpoint } from './escalate-case/escalate-case.endpoint';
import { MergeCaseEndpoint } from './merge-case/merge-case.endpoint';
import { OrderSupervisionEndpoint } from './order-supervision/order-supervision.endpoint';
import { RateCaseEndpoint } from './rate-case/rate-case.endpoint';
import { ReopenCaseEndpoint } from './reopen-case/reopen-case.endpoint';
import { RecordDepartmentActionEndpoint } from './record-department-action/record-department-action.endpoint';
import { ReportDepartmentEndpoint } from './report-department/report-department.endpoint';
import { RequestExtensionEndpoint } from './request-extension/request-extension.endpoint';
import { ResolveCaseEndpoint } from './resolve-case/resolve-case.endpoint';
import { ReturnCaseEndpoint } from './return-case/return-case.endpoint';
import { TransferCaseEndpoint } from './transfer-case/transfer-case.endpoint';
import { RemindCaseEndpoint } from './remind-case/remind-case.endpoint';
import { RecallDispatchEndpoint } from './recall-dispatch/recall-dispatch.endpoint';
import { WithdrawWhistleEndpoint } from './withdraw-whistle/withdraw-whistle.endpoint';
import { ReviewReturnEndpoint } from './review-return/review-return.endpoint';
import { GetCaseController } from './get-case/get-case.controller';
import { GetCaseHandler } from './get-case/get-case.query';
import { GetCaseHistoryController } from './get-case-history/get-case-history.controller';
import { GetCaseHistoryHandler } from './get-case-history/get-case-history.query';
import { GetCaseChainController } from './get-case-chain/get-case-chain.controller';
import { ReceiveCaseController } from './receive-case/receive-case.controller';
import { UnmaskPersonalDataController } from './unmask-personal-data/unmask-personal-data.controller';
import { ViewsModule } from '../views/views.module';
import { GetCaseDossierController } from './get-case-dossier/get-case-dossier.controller';
import { AuditReader } from './get-case-dossier/audit-reader.provider';

/** Every case command endpoint maps its request to a command for the one gate (libs/cases). */
@Module({
  imports: [CasesCoreModule, ViewsModule],
  controllers: [
    ReceiveCaseController, UnmaskPersonalDataController, GetCaseController, GetCaseHistoryController, GetCaseChainController, GetCaseDossierController,
    AcceptCaseEndpoint, AddNoteEndpoint, ErasePersonalDataEndpoint, AnswerSupervisionEndpoint, BlowWhistleEndpoint,
    CloseCaseEndpoint, DecideExtensionEndpoint, DispatchCaseEndpoint, EscalateCaseEndpoint,
    MergeCaseEndpoint, OrderSupervisionEndpoint, RateCaseEndpoint, ReopenCaseEndpoint,
    RecordDepartmentActionEndpoint, ReportDepartmentEndpoint, RequestExtensionEndpoint, ResolveCaseEndpoint,
    ReturnCaseEndpoint, TransferCaseEndpoint, RemindCaseEndpoint, RecallDispatchEndpoint,
    WithdrawWhistleEndpoint, ReviewReturnEndpoint,
  ],
  providers: [GetCaseHandler, GetCaseHistoryHandler, AuditReader],
})
export class CasesModule {}
