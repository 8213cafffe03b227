import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '@civicloop/cases';
import { CommandMeta } from '../../common/command-context.decorator';
import { CommandAnswer, ExecuteCaseCommand } from '@civicloop/cases';
import { RateCaseDto } from './rate-case.dto';
import { Access } from '../../auth/access.guard';

@ApiTags('cases') @ApiBearerAuth()
@Controller('cases')
export class RateCaseController {
  constructor(private readonly commandBus: CommandBus) {}

  /** The resident rates the outcome, or a callback operator (回访) records the rating. */
  @Access('rate')
  @Post(':id/rate') @HttpCode(200)
  rate(@Param('id') id: string, @Body() body: RateCaseDto, @CommandMeta() meta: CommandContext): Promise<CommandAnswer> {
    return this.commandBus.execute(new ExecuteCaseCommand(id, { type: 'RateCase', data: { rating: body.rating, solved: body.solved, comment: body.comment } }, meta));
  }
}
