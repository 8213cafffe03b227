import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '@civicloop/cases';
import { CommandMeta } from '../../common/command-context.decorator';
import { CommandAnswer, ExecuteCaseCommand } from '@civicloop/cases';
import { ResolveCaseDto } from './resolve-case.dto';
import { Access } from '../../auth/access.guard';

@ApiTags('cases') @ApiBearerAuth()
@Controller('cases')
export class ResolveCaseController {
  constructor(private readonly commandBus: CommandBus) {}

  /** Report the case done (办结); refused while a whistle is open. */
  @Access('resolve')
  @Post(':id/resolve') @HttpCode(200)
  resolve(@Param('id') id: string, @Body() body: ResolveCaseDto, @CommandMeta() meta: CommandContext): Promise<CommandAnswer> {
    return this.commandBus.execute(new ExecuteCaseCommand(id, { type: 'ResolveCase', data: { summary: body.summary, outcome: body.outcome } }, meta));
  }
}
