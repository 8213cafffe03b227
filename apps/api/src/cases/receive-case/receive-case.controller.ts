import { Body, Controller, Post, UseGuards } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { CommandContext } from '@civicloop/cases';
import { CommandMeta } from '../../common/command-context.decorator';
import { CommandAnswer, ExecuteCaseCommand } from '@civicloop/cases';
import { ReceiveCaseDto } from './receive-case.dto';
import { AppConfig } from '@civicloop/platform';
import { loadDefaultCalendar, slaTermsAtIntake } from '@civicloop/deadlines';
import { Gated } from '../../auth/access.guard';

@ApiTags('cases') @ApiBearerAuth()
@Controller('cases')
export class ReceiveCaseController {
  constructor(private readonly commandBus: CommandBus, private readonly config: AppConfig) {}

  /** Intake from any channel (受理): the case waits in the dispatch queue. */
  @Gated()
  @UseGuards(ThrottlerGuard)
  @Post()
  receive(@Body() body: ReceiveCaseDto, @CommandMeta() meta: CommandContext): Promise<CommandAnswer> {
    const caseId = randomUUID();
    return this.commandBus.execute(new ExecuteCaseCommand(caseId, {
      type: 'ReceiveCase',
      data: { caseId, ...body, location: { ...body.location }, reporter: body.reporter && { ...body.reporter },
        // The policy in force now stays the case's policy: a later policy never rewrites its deadlines.
        sla: slaTermsAtIntake(this.config.SLA_POLICY_FILE, [loadDefaultCalendar().id], body.category, body.urgency) },
    }, meta));
  }
}
