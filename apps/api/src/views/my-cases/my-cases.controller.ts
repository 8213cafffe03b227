import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { Actor } from '@civicloop/domain';
import { Clock, CLOCK } from '@civicloop/platform';
import { BoardRowView, queryBoard, ReadModels } from '@civicloop/read-models';
import { Access } from '../../auth/access.guard';
import { CurrentActor } from '../../auth/actor';
import { ViewQueryDto } from '../common/view-query.dto';
import { ViewResponder } from '../common/view-responder';

export class MyCasesQueryDto extends ViewQueryDto {
  @ApiPropertyOptional({ description: 'at most this many, newest first (1-100, default 50)' })
  @IsOptional() @Matches(/^(100|[1-9]\d?)$/, { message: '$property must be a whole number from 1 to 100' })
  limit?: string;
}

/**
 * 我的反映: the cases the signed-in resident reported, newest first. Narrowed by the token's own
 * subject, never by a parameter, so no resident can ask for another's cases.
 */
@ApiTags('views') @ApiBearerAuth()
@Controller('views/my-cases')
export class MyCasesController {
  constructor(private readonly models: ReadModels, private readonly views: ViewResponder, @Inject(CLOCK) private readonly clock: Clock) {}

  @Get()
  @Access('ownCases')
  async mine(@Query() query: MyCasesQueryDto, @CurrentActor() actor: Actor): Promise<{ rows: BoardRowView[] }> {
    await this.views.consistent(query, ['board']);
    const limit = query.limit === undefined ? 50 : Number(query.limit);
    const { rows } = await queryBoard(this.models, { residentId: actor.id, sort: '-receivedAt', limit }, this.clock.now().toISOString());
    return { rows };
  }
}
