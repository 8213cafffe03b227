import { HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { Actor } from '@civicloop/domain';
import { NotCaughtUp, ReadModels, ViewScope } from '@civicloop/read-models';
import { AppConfig } from '@civicloop/platform';
import { ApiError } from '../../common/api-error';
import { ViewQueryDto } from './view-query.dto';
import { toCsv } from './csv';
import { CSV_COLUMNS, CsvView } from './csv-columns';
import { withNames } from './unit-names';
import { Directory } from '@civicloop/directory';

/**
 * What every view does around its query: read-your-writes (consistentWith), the caller's scope,
 * and JSON or CSV.
 */
@Injectable()
export class ViewResponder {
  constructor(private readonly models: ReadModels, private readonly config: AppConfig, private readonly directory: Directory) {}

  /** Waits until `projections` have applied the position, or answers 503 with their lag. */
  async consistent(query: ViewQueryDto, projections: string[]): Promise<void> {
    if (query.consistentWith === undefined) return;
    try {
      await this.models.waitFor(Number(query.consistentWith), projections, this.config.VIEWS_CONSISTENCY_TIMEOUT_MS);
    } catch (error) {
      if (!(error instanceof NotCaughtUp)) throw error;
      throw new HttpException({
        code: 'VIEW_NOT_CAUGHT_UP',
        message: `${error.message}; retry shortly`,
        lag: error.lags.map(({ name, position, head, lag }) => ({ projection: name, position, head, lag })),
      }, HttpStatus.SERVICE_UNAVAILABLE);
    }
  }

  /**
   * The part of the views this actor may see: operators and auditors the whole district, everyone
   * else the cases assigned to or located in their unit's jurisdiction (residents never get here:
   * the access policy refuses them the views).
   */
  scopeOf(actor: Actor): ViewScope | undefined {
    if (actor.role === 'operator' || actor.role === 'auditor') return undefined;
    const unitIds = actor.unitId ? this.models.org.jurisdiction(actor.unitId) : [];
    if (!unitIds.length) {
      throw new ApiError(HttpStatus.FORBIDDEN, 'NO_JURISDICTION', `${actor.id} works for no unit of the directory, so no case is theirs to see in the views`);
    }
    return { unitIds };
  }

  /**
   * JSON, or CSV of the rows with a file name; either way with the directory's names beside the
   * ids. `view` names the header a CSV of no rows still carries (csv-columns.ts).
   */
  send<T extends object>(response: FastifyReply, query: ViewQueryDto, name: string, body: T, rows: object[], view: CsvView): T | string {
    if (query.format !== 'csv') return withNames(body, this.directory);
    response.header('content-type', 'text/csv; charset=utf-8');
    response.header('content-disposition', `attachment; filename="${name}.csv"`);
    return toCsv(withNames(rows, this.directory), CSV_COLUMNS[view]);
  }
}
