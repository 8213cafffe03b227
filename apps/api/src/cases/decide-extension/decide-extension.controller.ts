import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '@civicloop/cases';
import { CommandMeta } from '../../common/command-context.decorator';
import { CommandAnswer, ExecuteCaseCommand } from '@civicloop/cases';
import { DecideExtensionDto } from './decide-extension.dto';
import { Access } from '../../auth/access.guard';

@ApiTags('cases') @ApiBearerAuth()
@Controller('cases')
export class DecideExtensionController {
  constructor(private readonly commandBus: CommandBus) {}

  /** Approve or deny the pending extension request. */
  @Access('extension-decision')
  @Post(':id/extension-decision') @HttpCode(200)
  extensionDecision(@Param('id') id: string, @Body() body: DecideExtensionDto, @CommandMeta() meta: CommandContext): Promise<CommandAnswer> {
    return this.commandBus.execute(new ExecuteCaseCommand(id, { type: 'DecideExtension', data: { approved: body.approved, note: body.note } }, meta));
  }
}
