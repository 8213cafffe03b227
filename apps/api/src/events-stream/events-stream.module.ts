import { Module } from '@nestjs/common';
import { CasesCoreModule } from '@civicloop/cases';
import { EventsStreamController } from './events-stream.controller';

@Module({ imports: [CasesCoreModule], controllers: [EventsStreamController] })
export class EventsStreamModule {}
