import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { FastifyReply } from 'fastify';
import { Actor } from '@civicloop/domain';
import { queryResponseTimes, ReadModels, RESPONSE_TIME_GROUPS, ResponseTimeGroup } from '@civicloop/read-models';
import { Access } from '../../auth/access.guard';
import { CurrentActor } from '../../auth/actor';
import { PeriodQueryDto } from '../common/view-query.dto';
import { ViewResponder } from '../common/view-responder';

export class ResponseTimesQueryDto extends PeriodQueryDto {
  @ApiProperty({ enum: RESPONSE_TIME_GROUPS })
  @IsIn(RESPONSE_TIME_GROUPS as unknown as string[], { message: `$property must be one of: ${RESPONSE_TIME_GROUPS.join(', ')}` })
  groupBy!: ResponseTimeGroup;
}

/** Sign-for, resolve and close times (wall-clock and business), SLA breaches, and the clock each unit held. */
@ApiTags('views') @ApiBearerAuth()
@Controller('views/response-times')
export class ResponseTimesController {
  constructor(private readonly models: ReadModels, private readonly views: ViewResponder) {}

  @Get()
  @Access('views')
  async responseTimes(@Query() query: ResponseTimesQueryDto, @CurrentActor() actor: Actor, @Res({ passthrough: true }) response: FastifyReply) {
    await this.views.consistent(query, ['stats']);
    const rows = await queryResponseTimes(this.models, { groupBy: query.groupBy, period: query.period ?? 'month', from: query.from, to: query.to }, this.views.scopeOf(actor));
    return this.views.send(response, query, 'response-times', { rows }, rows, 'response-times');
  }
}
