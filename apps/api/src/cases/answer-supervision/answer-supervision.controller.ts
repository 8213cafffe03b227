import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '@civicloop/cases';
import { CommandMeta } from '../../common/command-context.decorator';
import { CommandAnswer, ExecuteCaseCommand } from '@civicloop/cases';
import { AnswerSupervisionDto } from './answer-supervision.dto';
import { Access } from '../../auth/access.guard';

@ApiTags('cases') @ApiBearerAuth()
@Controller('cases')
export class AnswerSupervisionController {
  constructor(private readonly commandBus: CommandBus) {}

  /** The handler answers a supervision order. */
  @Access('supervision-answer')
  @Post(':id/supervision-answer') @HttpCode(200)
  supervisionAnswer(@Param('id') id: string, @Body() body: AnswerSupervisionDto, @CommandMeta() meta: CommandContext): Promise<CommandAnswer> {
    return this.commandBus.execute(new ExecuteCaseCommand(id, { type: 'AnswerSupervision', data: { supervisionId: body.supervisionId, answer: body.answer } }, meta));
  }
}
