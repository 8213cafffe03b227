import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiProduces, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { Actor, READ_ACCESS } from '@civicloop/domain';
import { CaseRepository } from '@civicloop/cases';
import { Directory } from '@civicloop/directory';
import { EVENT_STORE, EventStore, RecordedEvent } from '@civicloop/event-store';
import { sseClients } from '@civicloop/platform';
import { Access } from '../auth/access.guard';
import { CurrentActor } from '../auth/actor';
import { ApiError } from '../common/api-error';

/** What one stream message carries: enough to know what to refetch, never the event's data (personal data stays behind the read rules). */
export interface StreamNotice {
  position: number;
  caseId: string;
  type: string;
  revision: number;
  occurredAt: string;
}

const HEARTBEAT_MS = 15_000;

/**
 * Live feed of the events the caller may read, as Server-Sent Events. Each message's id is the
 * event's position: a client that reconnects sends it back as Last-Event-ID and misses nothing.
 * The token travels in the Authorization header (the console reads the stream with fetch), never in the URL.
 */
@ApiTags('events') @ApiBearerAuth()
@Controller('events/stream')
export class EventsStreamController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly cases: CaseRepository,
    private readonly directory: Directory,
  ) {}

  @Get()
  @Access('views')
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'position of the last event received; the stream resumes after it' })
  async stream(
    @CurrentActor() actor: Actor,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (lastEventId !== undefined && !/^\d{1,15}$/.test(lastEventId)) {
      throw ApiError.badRequest('VALIDATION_FAILED', 'Last-Event-ID must be a position (a whole number)', [
        { field: 'Last-Event-ID', problem: 'must be a whole number' },
      ]);
    }
    const after = lastEventId !== undefined ? Number(lastEventId) : await this.store.headPosition();
    // The stream is written on the raw response, outside Fastify's send: it keeps the headers the
    // hooks set (security headers, CORS, the correlation id) and adds the stream's own.
    reply.hijack();
    const response = reply.raw;
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) response.setHeader(name, value);
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Proxies such as nginx would otherwise hold the messages back.
      'x-accel-buffering': 'no',
    });
    response.flushHeaders();
    response.write(`retry: 1000\n: live after ${after ?? 'the beginning'}\n\n`);
    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const subscription = this.store.subscribeToAll({
      after,
      handler: async (event) => {
        if (!event.streamId.startsWith('case-') || !(await this.mayRead(actor, event))) return;
        const notice: StreamNotice = {
          position: event.position, caseId: event.streamId.slice('case-'.length), type: event.type,
          revision: event.revision, occurredAt: event.metadata.occurredAt,
        };
        response.write(`id: ${event.position}\nevent: case\ndata: ${JSON.stringify(notice)}\n\n`);
      },
      onError: () => response.end(),
    });
    sseClients.inc();
    response.on('close', () => {
      sseClients.dec();
      clearInterval(heartbeat);
      void subscription.stop();
    });
  }

  /** The read rule of the cases themselves: what GET /cases/{id} would answer for this actor. */
  private async mayRead(actor: Actor, event: RecordedEvent): Promise<boolean> {
    if (actor.role === 'operator' || actor.role === 'auditor') return true;
    const rule = READ_ACCESS.case[actor.role];
    if (!rule) return false;
    const { state } = await this.cases.load(event.streamId.slice('case-'.length));
    return rule({ actor, state, directory: this.directory });
  }
}
