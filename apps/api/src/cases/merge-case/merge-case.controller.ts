import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { refuse } from '@civicloop/domain';
import { CaseRepository, CommandContext } from '@civicloop/cases';
import { CommandMeta } from '../../common/command-context.decorator';
import { CommandAnswer, ExecuteCaseCommand } from '@civicloop/cases';
import { MergeCaseDto } from './merge-case.dto';
import { Access } from '../../auth/access.guard';

@ApiTags('cases') @ApiBearerAuth()
@Controller('cases')
export class MergeCaseController {
  constructor(private readonly commandBus: CommandBus, private readonly cases: CaseRepository) {}

  /** Close this case as a duplicate of a primary case that is still open. */
  @Access('merge')
  @Post(':id/merge') @HttpCode(200)
  merge(@Param('id') id: string, @Body() body: MergeCaseDto, @CommandMeta() meta: CommandContext): Promise<CommandAnswer> {
    const primaryIsOpen = async ({ state: own }: { state: { status: string } }) => {
      if (own.status === 'none' || body.intoCaseId === id) return; // the decider refuses these itself
      const { state } = await this.cases.load(body.intoCaseId);
      if (state.status === 'none') throw refuse.invalid('UNKNOWN_PRIMARY_CASE', 'intoCaseId', `no case ${body.intoCaseId}`);
      if (state.status === 'closed') throw refuse.conflict('PRIMARY_CASE_CLOSED', `case ${body.intoCaseId} is closed`);
    };
    return this.commandBus.execute(new ExecuteCaseCommand(id, { type: 'MergeCase', data: { intoCaseId: body.intoCaseId } }, meta, primaryIsOpen));
  }
}
