import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { FastifyReply } from 'fastify';
import { Actor } from '@civicloop/domain';
import { querySatisfaction, ReadModels, SATISFACTION_GROUPS, SatisfactionGroup } from '@civicloop/read-models';
import { Access } from '../../auth/access.guard';
import { CurrentActor } from '../../auth/actor';
import { PeriodQueryDto } from '../common/view-query.dto';
import { ViewResponder } from '../common/view-responder';

export class SatisfactionQueryDto extends PeriodQueryDto {
  @ApiProperty({ enum: SATISFACTION_GROUPS })
  @IsIn(SATISFACTION_GROUPS as unknown as string[], { message: `$property must be one of: ${SATISFACTION_GROUPS.join(', ')}` })
  groupBy!: SatisfactionGroup;
}

/** Ratings per handler or area and period: counts, satisfaction rate and resolution rate. */
@ApiTags('views') @ApiBearerAuth()
@Controller('views/satisfaction')
export class SatisfactionController {
  constructor(private readonly models: ReadModels, private readonly views: ViewResponder) {}

  @Get()
  @Access('views')
  async satisfaction(@Query() query: SatisfactionQueryDto, @CurrentActor() actor: Actor, @Res({ passthrough: true }) response: FastifyReply) {
    await this.views.consistent(query, ['stats']);
    const rows = await querySatisfaction(this.models, { groupBy: query.groupBy, period: query.period ?? 'month', from: query.from, to: query.to }, this.views.scopeOf(actor));
    return this.views.send(response, query, 'satisfaction', { rows }, rows, 'satisfaction');
  }
}
