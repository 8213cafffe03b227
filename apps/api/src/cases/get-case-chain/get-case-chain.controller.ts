import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { FastifyReply } from 'fastify';
import { Actor, refuse } from '@civicloop/domain';
import { CaseRepository } from '@civicloop/cases';
import { EVENT_STORE, EventStore } from '@civicloop/event-store';
import { CaseChain, queryCaseChain, queryCaseChainAsOf, ReadModels } from '@civicloop/read-models';
import { Access } from '../../auth/access.guard';
import { CurrentActor } from '../../auth/actor';
import { ViewQueryDto } from '../../views/common/view-query.dto';
import { ViewResponder } from '../../views/common/view-responder';
import { parseAsOf } from '../get-case/get-case.controller';

class CaseChainQueryDto extends ViewQueryDto {
  @ApiPropertyOptional({ description: 'revision number or ISO-8601 date-time: the chain as it stood then' })
  @IsOptional() @IsString()
  asOf?: string;
}

/** The escalation chain of a case: assignments by tier, returns, whistles, supervision orders. */
@ApiTags('cases') @ApiBearerAuth()
@Controller('cases')
export class GetCaseChainController {
  constructor(
    private readonly models: ReadModels, private readonly views: ViewResponder, private readonly cases: CaseRepository,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get(':id/chain')
  @Access('case')
  async chain(
    @Param('id') id: string, @Query() query: CaseChainQueryDto, @CurrentActor() actor: Actor, @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<CaseChain | string> {
    const asOf = parseAsOf(query.asOf);
    let chain: CaseChain | null;
    if (asOf) {
      // As a supervisor saw it then: from the case's own events up to that point, not from the live view.
      const events = await this.cases.history(id, 'revision' in asOf ? { toRevision: asOf.revision } : { toTime: asOf.time });
      if ('revision' in asOf && events.length > 0 && events[events.length - 1].revision < asOf.revision) {
        throw refuse.invalid('REVISION_NOT_REACHED', 'asOf', `case ${id} has revisions 0..${events[events.length - 1].revision} only`);
      }
      chain = events.length ? await queryCaseChainAsOf(this.models, this.store, id, events, this.views.scopeOf(actor)) : null;
      if (!chain) throw refuse.notFound('CASE_NOT_FOUND', `case ${id} did not exist at that point`);
    } else {
      await this.views.consistent(query, ['chain']);
      chain = await queryCaseChain(this.models, id, this.views.scopeOf(actor));
      if (!chain) throw refuse.notFound('CASE_NOT_FOUND', `no case ${id} in the escalation view (if it was just taken in, pass consistentWith)`);
    }
    return this.views.send(response, query, `chain-${id}`, chain, chain.assignments.map((a) => ({ caseId: id, ...a })), 'chain');
  }
}
