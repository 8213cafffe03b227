import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { isISO8601 } from 'class-validator';
import { ApiError } from '../../common/api-error';
import { CaseView } from '@civicloop/cases';
import { AsOf, GetCaseQuery } from './get-case.query';
import { Access } from '../../auth/access.guard';
import { CurrentActor } from '../../auth/actor';
import { Actor } from '@civicloop/domain';

export function parseAsOf(raw: string | undefined): AsOf | undefined {
  if (raw === undefined) return undefined;
  if (/^\d{1,9}$/.test(raw)) return { revision: Number(raw) };
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
  // isISO8601 strict: Date.parse would roll 2026-02-30 over into March
  if (iso.test(raw) && isISO8601(raw, { strict: true, strictSeparator: true })) return { time: new Date(raw).toISOString() };
  throw ApiError.badRequest('VALIDATION_FAILED', 'asOf must be a revision number or an ISO-8601 date-time', [
    { field: 'asOf', problem: 'must be a revision number (0 is the intake) or an ISO-8601 date-time with a zone' },
  ]);
}

@ApiTags('cases') @ApiBearerAuth()
@Controller('cases')
export class GetCaseController {
  constructor(private readonly queryBus: QueryBus) {}

  /** Current state, or the state as it was at a revision or a time (for auditors). */
  @Access('case')
  @Get(':id')
  @ApiQuery({ name: 'asOf', required: false, description: 'revision number or ISO-8601 date-time' })
  get(@Param('id') id: string, @CurrentActor() actor: Actor, @Query('asOf') asOf?: string): Promise<CaseView> {
    return this.queryBus.execute(new GetCaseQuery(id, actor, parseAsOf(asOf)));
  }
}
