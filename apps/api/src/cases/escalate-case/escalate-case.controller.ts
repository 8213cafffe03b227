import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '@civicloop/cases';
import { CommandMeta } from '../../common/command-context.decorator';
import { CommandAnswer, ExecuteCaseCommand } from '@civicloop/cases';
import { EscalateCaseDto } from './escalate-case.dto';
import { Access } from '../../auth/access.guard';

@ApiTags('cases') @ApiBearerAuth()
@Controller('cases')
export class EscalateCaseController {
  constructor(private readonly commandBus: CommandBus) {}

  /** Escalate (上报) one tier up; the parent unit of that tier must sign for it. */
  @Access('escalate')
  @Post(':id/escalate') @HttpCode(200)
  escalate(@Param('id') id: string, @Body() body: EscalateCaseDto, @CommandMeta() meta: CommandContext): Promise<CommandAnswer> {
    return this.commandBus.execute(new ExecuteCaseCommand(id, { type: 'EscalateCase', data: { reason: body.reason, assigneeId: body.assigneeId } }, meta));
  }
}
