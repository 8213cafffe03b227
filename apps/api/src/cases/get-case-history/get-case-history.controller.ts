import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { GetCaseHistoryQuery, HistoryEntry } from './get-case-history.query';
import { Access } from '../../auth/access.guard';
import { CurrentActor } from '../../auth/actor';
import { Actor } from '@civicloop/domain';

@ApiTags('cases') @ApiBearerAuth()
@Controller('cases')
export class GetCaseHistoryController {
  constructor(private readonly queryBus: QueryBus) {}

  /** Every event of the case in order, exactly as written, with who did it and when. */
  @Access('case')
  @Get(':id/events')
  history(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<HistoryEntry[]> {
    return this.queryBus.execute(new GetCaseHistoryQuery(id, actor));
  }
}
