import { Module } from '@nestjs/common';
import { AcceptCaseController } from './accept-case/accept-case.controller';
import { AddNoteController } from './add-note/add-note.controller';
import { AnswerSupervisionController } from './answer-supervision/answer-supervision.controller';
import { BlowWhistleController } from './blow-whistle/blow-whistle.controller';
import { CloseCaseController } from './close-case/close-case.controller';
import { DecideExtensionController } from './decide-extension/decide-extension.controller';
import { DispatchCaseController } from './dispatch-case/dispatch-case.controller';
import { EscalateCaseController } from './escalate-case/escalate-case.controller';
import { GetCaseController } from './get-case/get-case.controller';
import { GetCaseHandler } from './get-case/get-case.query';
import { GetCaseHistoryController } from './get-case-history/get-case-history.controller';
import { GetCaseHistoryHandler } from './get-case-history/get-case-history.query';
import { MergeCaseController } from './merge-case/merge-case.controller';
import { OrderSupervisionController } from './order-supervision/order-supervision.controller';
import { RateCaseController } from './rate-case/rate-case.controller';
import { ReceiveCaseController } from './receive-case/receive-case.controller';
import { RecordDepartmentActionController } from './record-department-action/record-department-action.controller';
import { ReopenCaseController } from './reopen-case/reopen-case.controller';
import { ReportDepartmentController } from './report-department/report-department.controller';
import { RequestExtensionController } from './request-extension/request-extension.controller';
import { ResolveCaseController } from './resolve-case/resolve-case.controller';
import { ReturnCaseController } from './return-case/return-case.controller';
import { CasesCoreModule } from '@civicloop/cases';
import { UnmaskPersonalDataController } from './unmask-personal-data/unmask-personal-data.controller';
import { GetCaseChainController } from './get-case-chain/get-case-chain.controller';
import { ViewsModule } from '../views/views.module';
import { GetCaseDossierController } from './get-case-dossier/get-case-dossier.controller';
import { AuditReader } from './get-case-dossier/audit-reader.provider';

@Module({
  imports: [CasesCoreModule, ViewsModule],
  controllers: [
    ReceiveCaseController, DispatchCaseController, AcceptCaseController, ReturnCaseController, AddNoteController,
    RequestExtensionController, DecideExtensionController, ResolveCaseController, EscalateCaseController,
    BlowWhistleController, ReportDepartmentController, RecordDepartmentActionController,
    OrderSupervisionController, AnswerSupervisionController, RateCaseController, ReopenCaseController,
    CloseCaseController, MergeCaseController, UnmaskPersonalDataController, GetCaseController, GetCaseHistoryController,
    GetCaseChainController, GetCaseDossierController,
  ],
  providers: [GetCaseHandler, GetCaseHistoryHandler, AuditReader],
})
export class CasesModule {}
