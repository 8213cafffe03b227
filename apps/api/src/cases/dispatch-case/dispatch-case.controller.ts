import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '@civicloop/cases';
import { CommandMeta } from '../../common/command-context.decorator';
import { CommandAnswer, ExecuteCaseCommand } from '@civicloop/cases';
import { DispatchCaseDto } from './dispatch-case.dto';
import { Access } from '../../auth/access.guard';

@ApiTags('cases') @ApiBearerAuth()
@Controller('cases')
export class DispatchCaseController {
  constructor(private readonly commandBus: CommandBus) {}

  /** Dispatch (派单) to a handler unit at a tier; again after a return or a reopen. */
  @Access('dispatch')
  @Post(':id/dispatch') @HttpCode(200)
  dispatch(@Param('id') id: string, @Body() body: DispatchCaseDto, @CommandMeta() meta: CommandContext): Promise<CommandAnswer> {
    return this.commandBus.execute(new ExecuteCaseCommand(id, { type: 'DispatchCase', data: { assigneeId: body.assigneeId, tier: body.tier } }, meta));
  }
}
