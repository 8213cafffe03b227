import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { toInstant } from '../../common/dto-rules';
import { CommandContext } from '@civicloop/cases';
import { CommandMeta } from '../../common/command-context.decorator';
import { CommandAnswer, ExecuteCaseCommand } from '@civicloop/cases';
import { OrderSupervisionDto } from './order-supervision.dto';
import { Access } from '../../auth/access.guard';

@ApiTags('cases') @ApiBearerAuth()
@Controller('cases')
export class OrderSupervisionController {
  constructor(private readonly commandBus: CommandBus) {}

  /** A supervision order (督办): stays open until the handler answers it. */
  @Access('supervise')
  @Post(':id/supervise') @HttpCode(200)
  async supervise(@Param('id') id: string, @Body() body: OrderSupervisionDto, @CommandMeta() meta: CommandContext)
    : Promise<CommandAnswer & { supervisionId: string }> {
    const supervisionId = randomUUID();
    const answer: CommandAnswer = await this.commandBus.execute(new ExecuteCaseCommand(id, {
      type: 'OrderSupervision',
      data: { supervisionId, reason: body.reason, answerBy: body.answerBy && toInstant(body.answerBy) },
    }, meta));
    return { ...answer, supervisionId };
  }
}
