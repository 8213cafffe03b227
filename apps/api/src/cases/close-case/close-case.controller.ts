import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '@civicloop/cases';
import { CommandMeta } from '../../common/command-context.decorator';
import { CommandAnswer, ExecuteCaseCommand } from '@civicloop/cases';
import { CloseCaseDto } from './close-case.dto';
import { Access } from '../../auth/access.guard';

@ApiTags('cases') @ApiBearerAuth()
@Controller('cases')
export class CloseCaseController {
  constructor(private readonly commandBus: CommandBus) {}

  /** Close (结案) a rated case, or withdraw one not yet resolved. */
  @Access('close')
  @Post(':id/close') @HttpCode(200)
  close(@Param('id') id: string, @Body() body: CloseCaseDto, @CommandMeta() meta: CommandContext): Promise<CommandAnswer> {
    return this.commandBus.execute(new ExecuteCaseCommand(id, { type: 'CloseCase', data: { reason: body.reason } }, meta));
  }
}
