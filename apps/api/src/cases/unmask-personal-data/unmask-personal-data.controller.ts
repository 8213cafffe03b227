import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CaseRepository, CommandAnswer, CommandContext, ExecuteCaseCommand, toCaseView } from '@civicloop/cases';
import { Gated } from '../../auth/access.guard';
import { CommandMeta } from '../../common/command-context.decorator';
import { UnmaskPersonalDataDto } from './unmask-personal-data.dto';
import { NotReplayed } from '../../idempotency/idempotency.interceptor';

@ApiTags('cases') @ApiBearerAuth()
@Controller('cases')
export class UnmaskPersonalDataController {
  constructor(private readonly commandBus: CommandBus, private readonly cases: CaseRepository) {}

  /** An auditor sees the reporter's personal data; the look and its reason are recorded first. */
  @Gated() @NotReplayed()
  @Post(':id/unmask') @HttpCode(200)
  async unmask(@Param('id') id: string, @Body() body: UnmaskPersonalDataDto, @CommandMeta() meta: CommandContext) {
    const answer: CommandAnswer = await this.commandBus.execute(
      new ExecuteCaseCommand(id, { type: 'UnmaskPersonalData', data: { reason: body.reason } }, meta));
    const { state, revision } = await this.cases.load(id, { toRevision: answer.revision });
    const { reporter, location } = toCaseView(state, revision);
    return { ...answer, reporter, location };
  }
}
