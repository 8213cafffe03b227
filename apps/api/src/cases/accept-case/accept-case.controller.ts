import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '@civicloop/cases';
import { CommandMeta } from '../../common/command-context.decorator';
import { CommandAnswer, ExecuteCaseCommand } from '@civicloop/cases';
import { AcceptCaseDto } from './accept-case.dto';
import { Access } from '../../auth/access.guard';

@ApiTags('cases') @ApiBearerAuth()
@Controller('cases')
export class AcceptCaseController {
  constructor(private readonly commandBus: CommandBus) {}

  /** Sign for (签收) the case: only the unit it is assigned to. */
  @Access('accept')
  @Post(':id/accept') @HttpCode(200)
  accept(@Param('id') id: string, @Body() _body: AcceptCaseDto, @CommandMeta() meta: CommandContext): Promise<CommandAnswer> {
    return this.commandBus.execute(new ExecuteCaseCommand(id, { type: 'AcceptCase', data: {} }, meta));
  }
}
