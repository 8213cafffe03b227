import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { FastifyReply } from 'fastify';
import { Actor } from '@civicloop/domain';
import { Clock, CLOCK } from '@civicloop/platform';
import { Attribution, ATTRIBUTIONS, queryThreeRates, ReadModels, THREE_RATE_GROUPS, ThreeRateGroup } from '@civicloop/read-models';
import { Access } from '../../auth/access.guard';
import { CurrentActor } from '../../auth/actor';
import { ViewQueryDto } from '../common/view-query.dto';
import { ViewResponder } from '../common/view-responder';

export class ThreeRatesQueryDto extends ViewQueryDto {
  @ApiProperty({ enum: THREE_RATE_GROUPS })
  @IsIn(THREE_RATE_GROUPS as unknown as string[], { message: `$property must be one of: ${THREE_RATE_GROUPS.join(', ')}` })
  groupBy!: ThreeRateGroup;

  @ApiProperty({ example: '2026-03' })
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: '$property must be a month YYYY-MM' })
  month!: string;

  @ApiPropertyOptional({ enum: ATTRIBUTIONS, description: 'street/community of the case location (default) or of the assignee unit' })
  @IsOptional()
  @IsIn(ATTRIBUTIONS as unknown as string[], { message: `$property must be one of: ${ATTRIBUTIONS.join(', ')}` })
  attribution?: Attribution;
}

/** The monthly three rates (三率), score and rank: the ranking of streets and property companies. */
@ApiTags('views') @ApiBearerAuth()
@Controller('views/three-rates')
export class ThreeRatesController {
  constructor(private readonly models: ReadModels, private readonly views: ViewResponder, @Inject(CLOCK) private readonly clock: Clock) {}

  @Get()
  @Access('views')
  async threeRates(@Query() query: ThreeRatesQueryDto, @CurrentActor() actor: Actor, @Res({ passthrough: true }) response: FastifyReply) {
    await this.views.consistent(query, ['stats']);
    const now = this.clock.now().toISOString();
    const attribution = query.attribution ?? 'location';
    const rows = await queryThreeRates(this.models, { groupBy: query.groupBy, month: query.month, now, attribution }, this.views.scopeOf(actor));
    const weights = this.models.settings.threeRateWeights;
    return this.views.send(response, query, `three-rates-${query.month}`, {
      month: query.month, asOf: now, attribution, weights: { ...weights, basicallySatisfied: this.models.settings.basicallySatisfiedWeight }, rows,
    }, rows, 'three-rates');
  }
}
