import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { toInstant } from '../../common/dto-rules';
import { CommandContext } from '@civicloop/cases';
import { CommandMeta } from '../../common/command-context.decorator';
import { CommandAnswer, ExecuteCaseCommand } from '@civicloop/cases';
import { RequestExtensionDto } from './request-extension.dto';
import { Access } from '../../auth/access.guard';

@ApiTags('cases') @ApiBearerAuth()
@Controller('cases')
export class RequestExtensionController {
  constructor(private readonly commandBus: CommandBus) {}

  /** Ask (延期) for a later resolution deadline. */
  @Access('extension-request')
  @Post(':id/extension-request') @HttpCode(200)
  extensionRequest(@Param('id') id: string, @Body() body: RequestExtensionDto, @CommandMeta() meta: CommandContext): Promise<CommandAnswer> {
    return this.commandBus.execute(new ExecuteCaseCommand(id, { type: 'RequestExtension', data: { until: toInstant(body.until), reason: body.reason } }, meta));
  }
}
