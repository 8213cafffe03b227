import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '@civicloop/cases';
import { CommandMeta } from '../../common/command-context.decorator';
import { CommandAnswer, ExecuteCaseCommand } from '@civicloop/cases';
import { AddNoteDto } from './add-note.dto';
import { Access } from '../../auth/access.guard';

@ApiTags('cases') @ApiBearerAuth()
@Controller('cases')
export class AddNoteController {
  constructor(private readonly commandBus: CommandBus) {}

  /** Record progress on the case. */
  @Access('note')
  @Post(':id/note') @HttpCode(200)
  note(@Param('id') id: string, @Body() body: AddNoteDto, @CommandMeta() meta: CommandContext): Promise<CommandAnswer> {
    return this.commandBus.execute(new ExecuteCaseCommand(id, { type: 'AddNote', data: { text: body.text } }, meta));
  }
}
