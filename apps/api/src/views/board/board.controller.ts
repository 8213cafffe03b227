import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { Actor, CASE_STATUSES, CHANNELS, TIERS, URGENCIES } from '@civicloop/domain';
import { Directory } from '@civicloop/directory';
import { Clock, CLOCK } from '@civicloop/platform';
import { BoardFilter, InvalidCursor, queryBoard, ReadModels } from '@civicloop/read-models';
import { Access } from '../../auth/access.guard';
import { CurrentActor } from '../../auth/actor';
import { ApiError, FieldProblem } from '../../common/api-error';
import { ViewResponder } from '../common/view-responder';
import { BoardQueryDto } from './board.dto';

/** The dispatch board: cases filtered, sorted and cursor-paged. */
@ApiTags('views') @ApiBearerAuth()
@Controller('views/board')
export class BoardController {
  constructor(
    private readonly models: ReadModels,
    private readonly views: ViewResponder,
    private readonly directory: Directory,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @Access('views')
  async board(@Query() query: BoardQueryDto, @CurrentActor() actor: Actor, @Res({ passthrough: true }) response: FastifyReply) {
    const filter = this.filter(query);
    await this.views.consistent(query, ['board']);
    try {
      const page = await queryBoard(this.models, filter, this.clock.now().toISOString(), this.views.scopeOf(actor));
      return this.views.send(response, query, 'board', page, page.rows, 'board');
    } catch (error) {
      if (error instanceof InvalidCursor) throw ApiError.badRequest('INVALID_CURSOR', error.message, [{ field: 'cursor', problem: error.message }]);
      throw error;
    }
  }

  private filter(q: BoardQueryDto): BoardFilter {
    const problems: FieldProblem[] = [];
    const list = (field: string, raw: string | undefined, allowed: (value: string) => boolean) => {
      if (raw === undefined) return undefined;
      const values = raw.split(',');
      const unknown = values.filter((v) => !allowed(v));
      if (unknown.length) problems.push({ field, problem: `unknown ${field}: ${unknown.join(', ')}` });
      return values;
    };
    const among = (vocabulary: readonly string[]) => (value: string) => vocabulary.includes(value);
    const filter: BoardFilter = {
      status: list('status', q.status, among(CASE_STATUSES)),
      tier: list('tier', q.tier, among(TIERS)),
      category: list('category', q.category, (c) => !!this.directory.category(c)),
      channel: list('channel', q.channel, among(CHANNELS)),
      urgency: list('urgency', q.urgency, among(URGENCIES)),
      assigneeId: q.assignee,
      areaId: q.area,
      overdue: q.overdue === undefined ? undefined : q.overdue === 'true',
      receivedFrom: q.receivedFrom && new Date(q.receivedFrom).toISOString(),
      receivedTo: q.receivedTo && new Date(q.receivedTo).toISOString(),
      text: q.q,
      sort: q.sort,
      cursor: q.cursor,
      limit: q.limit === undefined ? undefined : Number(q.limit),
    };
    if (q.area !== undefined && !this.directory.unit(q.area)) problems.push({ field: 'area', problem: `no unit ${q.area} in the directory` });
    if (problems.length) throw ApiError.badRequest('VALIDATION_FAILED', problems.map((p) => `${p.field}: ${p.problem}`).join('; '), problems);
    return filter;
  }
}
