import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '@civicloop/cases';
import { CommandMeta } from '../../common/command-context.decorator';
import { CommandAnswer, ExecuteCaseCommand } from '@civicloop/cases';
import { ReopenCaseDto } from './reopen-case.dto';
import { Access } from '../../auth/access.guard';

@ApiTags('cases') @ApiBearerAuth()
@Controller('cases')
export class ReopenCaseController {
  constructor(private readonly commandBus: CommandBus) {}

  /** Reopen (重办) after an unsatisfied rating, or by a supervisor. */
  @Access('reopen')
  @Post(':id/reopen') @HttpCode(200)
  reopen(@Param('id') id: string, @Body() body: ReopenCaseDto, @CommandMeta() meta: CommandContext): Promise<CommandAnswer> {
    return this.commandBus.execute(new ExecuteCaseCommand(id, { type: 'ReopenCase', data: { reason: body.reason } }, meta));
  }
}
