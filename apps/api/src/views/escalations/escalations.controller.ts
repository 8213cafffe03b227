import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { FastifyReply } from 'fastify';
import { Actor } from '@civicloop/domain';
import { ESCALATION_GROUPS, EscalationGroup, queryEscalations, ReadModels } from '@civicloop/read-models';
import { Access } from '../../auth/access.guard';
import { CurrentActor } from '../../auth/actor';
import { PeriodQueryDto } from '../common/view-query.dto';
import { ViewResponder } from '../common/view-responder';

export class EscalationsQueryDto extends PeriodQueryDto {
  @ApiProperty({ enum: ESCALATION_GROUPS })
  @IsIn(ESCALATION_GROUPS as unknown as string[], { message: `$property must be one of: ${ESCALATION_GROUPS.join(', ')}` })
  groupBy!: EscalationGroup;
}

/** Escalation and whistle rates per street or community, whistles per department and their report times. */
@ApiTags('views') @ApiBearerAuth()
@Controller('views/escalations')
export class EscalationsController {
  constructor(private readonly models: ReadModels, private readonly views: ViewResponder) {}

  @Get()
  @Access('views')
  async escalations(@Query() query: EscalationsQueryDto, @CurrentActor() actor: Actor, @Res({ passthrough: true }) response: FastifyReply) {
    await this.views.consistent(query, ['chain']);
    const rows = await queryEscalations(this.models, { groupBy: query.groupBy, period: query.period ?? 'month', from: query.from, to: query.to }, this.views.scopeOf(actor));
    const csvRows = rows.flatMap(({ departments, ...row }) => (departments.length ? departments.map((d) => ({ ...row, department: d })) : [row]));
    return this.views.send(response, query, 'escalations', { rows }, csvRows, 'escalations');
  }
}
