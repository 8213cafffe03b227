import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '@civicloop/cases';
import { CommandMeta } from '../../common/command-context.decorator';
import { CommandAnswer, ExecuteCaseCommand } from '@civicloop/cases';
import { ReturnCaseDto } from './return-case.dto';
import { Access } from '../../auth/access.guard';

@ApiTags('cases') @ApiBearerAuth()
@Controller('cases')
export class ReturnCaseController {
  constructor(private readonly commandBus: CommandBus) {}

  /** Return (退单) a wrongly dispatched case to the dispatch queue. */
  @Access('return')
  @Post(':id/return') @HttpCode(200)
  returnCase(@Param('id') id: string, @Body() body: ReturnCaseDto, @CommandMeta() meta: CommandContext): Promise<CommandAnswer> {
    return this.commandBus.execute(new ExecuteCaseCommand(id, { type: 'ReturnCase', data: { reason: body.reason, note: body.note } }, meta));
  }
}
