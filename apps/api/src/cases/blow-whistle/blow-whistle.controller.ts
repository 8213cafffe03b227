import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { CommandContext } from '@civicloop/cases';
import { CommandMeta } from '../../common/command-context.decorator';
import { CommandAnswer, ExecuteCaseCommand } from '@civicloop/cases';
import { BlowWhistleDto } from './blow-whistle.dto';
import { Access } from '../../auth/access.guard';

@ApiTags('cases') @ApiBearerAuth()
@Controller('cases')
export class BlowWhistleController {
  constructor(private readonly commandBus: CommandBus) {}

  /** The street whistles (吹哨): every named department must report and act. */
  @Access('whistle')
  @Post(':id/whistle') @HttpCode(200)
  async whistle(@Param('id') id: string, @Body() body: BlowWhistleDto, @CommandMeta() meta: CommandContext)
    : Promise<CommandAnswer & { whistleId: string }> {
    const whistleId = randomUUID();
    const answer: CommandAnswer = await this.commandBus.execute(new ExecuteCaseCommand(id, {
      type: 'BlowWhistle', data: { whistleId, departmentIds: body.departmentIds, reason: body.reason },
    }, meta));
    return { ...answer, whistleId };
  }
}
