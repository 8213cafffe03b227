import { Controller, Get, Headers, Inject, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { Dossier, buildDossier, renderDossierHtml } from '@civicloop/audit';
import { CaseRepository } from '@civicloop/cases';
import { caseSlaView } from '@civicloop/deadlines';
import { Directory } from '@civicloop/directory';
import { refuse } from '@civicloop/domain';
import { AppConfig, CLOCK, Clock } from '@civicloop/platform';
import { Access } from '../../auth/access.guard';
import { AuditReader } from './audit-reader.provider';

/** An auditor's dossier of one case: a printable page in Chinese, or the same content as JSON. */
@ApiTags('cases') @ApiBearerAuth()
@Controller('cases')
export class GetCaseDossierController {
  constructor(
    private readonly cases: CaseRepository, private readonly directory: Directory, private readonly audit: AuditReader,
    private readonly config: AppConfig, @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get(':id/dossier')
  @Access('dossier')
  @ApiProduces('text/html', 'application/json')
  async dossier(@Param('id') id: string, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) response: FastifyReply): Promise<Dossier | string> {
    const events = await this.cases.history(id);
    if (events.length === 0) throw refuse.notFound('CASE_NOT_FOUND', `no case ${id}`);
    const dossier = buildDossier({
      caseId: id, events, audit: this.audit.store, generatedAt: this.clock.now().toISOString(),
      unitName: (unitId) => (unitId ? this.directory.unit(unitId)?.name ?? unitId : '—'),
      categoryName: (code) => this.directory.category(code)?.name ?? code,
      pending: caseSlaView(events, this.config.SLA_POLICY_FILE).pendingDeadlines,
    });
    if (/application\/json/.test(accept ?? '')) return dossier;
    response.header('content-type', 'text/html; charset=utf-8');
    return renderDossierHtml(dossier);
  }
}
