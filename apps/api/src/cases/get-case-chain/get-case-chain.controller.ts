import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import { Actor, refuse } from '@civicloop/domain';
import { CaseChain, queryCaseChain, ReadModels } from '@civicloop/read-models';
import { Access } from '../../auth/access.guard';
import { CurrentActor } from '../../auth/actor';
import { ViewQueryDto } from '../../views/common/view-query.dto';
import { ViewResponder } from '../../views/common/view-responder';

/** The escalation chain of a case: assignments by tier, returns, whistles, supervision orders. */
@ApiTags('cases') @ApiBearerAuth()
@Controller('cases')
export class GetCaseChainController {
  constructor(private readonly models: ReadModels, private readonly views: ViewResponder) {}

  @Get(':id/chain')
  @Access('case')
  async chain(
    @Param('id') id: string, @Query() query: ViewQueryDto, @CurrentActor() actor: Actor, @Res({ passthrough: true }) response: Response,
  ): Promise<CaseChain | string> {
    await this.views.consistent(query, ['chain']);
    const chain = await queryCaseChain(this.models, id, this.views.scopeOf(actor));
    if (!chain) throw refuse.notFound('CASE_NOT_FOUND', `no case ${id} in the escalation view (if it was just taken in, pass consistentWith)`);
    return this.views.send(response, query, `chain-${id}`, chain, chain.assignments.map((a) => ({ caseId: id, ...a })));
  }
}
