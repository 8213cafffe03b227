import { Controller, Get, HttpStatus, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Actor } from '@civicloop/domain';
import { EVENT_STORE, EventStore } from '@civicloop/event-store';
import { Access } from '../auth/access.guard';
import { CurrentActor } from '../auth/actor';
import { ApiError } from '../common/api-error';

export class UnmaskEntryDto {
  @ApiProperty() caseId!: string;
  @ApiProperty() reason!: string;
  @ApiProperty() occurredAt!: string;
  @ApiProperty() actorId!: string;
  @ApiProperty({ type: String, nullable: true }) actorUnitId!: string | null;
  @ApiProperty() position!: number;
}

export class UnmasksDto {
  @ApiProperty({ type: [UnmaskEntryDto] }) rows!: UnmaskEntryDto[];
}

const PAGE = 2_000;

/**
 * Every time an auditor unmasked a case's personal data, newest first: the auditors' own trail.
 * Read from the log itself (a scan; the district's log is small enough for now, a projection
 * would serve a larger one).
 */
@ApiTags('audit') @ApiBearerAuth()
@Controller('audit/unmasks')
export class AuditUnmasksController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get()
  // The read table has no auditors-only row: the views' roles pass the guard, then only auditors
  // (who alone may unmask) see the trail.
  @Access('views')
  @ApiOkResponse({ type: UnmasksDto })
  async list(@CurrentActor() actor: Actor): Promise<UnmasksDto> {
    if (actor.role !== 'auditor') throw new ApiError(HttpStatus.FORBIDDEN, 'ROLE_NOT_ALLOWED', `a ${actor.role} may not read the unmask trail`);
    const rows: UnmaskEntryDto[] = [];
    let after: number | null = null;
    for (;;) {
      const page = await this.store.readAll({ after, limit: PAGE });
      for (const event of page) {
        if (event.type !== 'PersonalDataUnmasked') continue;
        rows.push({
          caseId: event.streamId.slice('case-'.length), reason: String(event.data.reason ?? ''), occurredAt: event.metadata.occurredAt,
          actorId: event.metadata.actor.id, actorUnitId: event.metadata.actor.unitId, position: event.position,
        });
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1].position;
    }
    return { rows: rows.reverse() };
  }
}
