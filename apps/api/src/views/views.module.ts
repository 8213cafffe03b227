import { Module } from '@nestjs/common';
import { ReadModelsModule } from '@civicloop/read-models';
import { BoardController } from './board/board.controller';
import { ViewResponder } from './common/view-responder';
import { EscalationsController } from './escalations/escalations.controller';
import { MyCasesController } from './my-cases/my-cases.controller';
import { ProjectionsController } from './projections/projections.controller';
import { ResponseTimesController } from './response-times/response-times.controller';
import { SatisfactionController } from './satisfaction/satisfaction.controller';
import { ThreeRatesController } from './three-rates/three-rates.controller';

/** The dispatch centre's and supervisors' views, read from the projections' tables. */
@Module({
  imports: [ReadModelsModule],
  controllers: [BoardController, SatisfactionController, ThreeRatesController, ResponseTimesController, EscalationsController, ProjectionsController, MyCasesController],
  providers: [ViewResponder],
  exports: [ViewResponder, ReadModelsModule],
})
export class ViewsModule {}
