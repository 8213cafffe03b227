import * as grpc from '@grpc/grpc-js';
import { Empty, UUID } from '@eventstore/db-client/generated/shared_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { AppendReq, AppendResp, ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { batchAppend, BatchAppendCall } from './stand-in-batch-append';
import { supportedMethods } from './stand-in-features';
import { AppendOutcome, Expected, LogRecord, ProposedEvent, StandInLog } from './stand-in-log';
import { identifier, streamName, toProposed } from './stand-in-wire';

type ReadCall = grpc.ServerWritableStream<ReadReq, ReadResp>;
type AppendCall = grpc.ServerReadableStream<AppendReq, AppendResp>;

export type StandInRpc = 'Streams.Read' | 'Streams.Append' | 'Streams.BatchAppend' | 'ServerFeatures.GetSupportedMethods';
export type AppendRpc = 'Streams.Append' | 'Streams.BatchAppend';

export interface EsdbStandInOptions {
  /**
   * `batch-append` (default): answers ServerFeatures like EventStoreDB 21.10 and later, so
   * `@eventstore/db-client` appends through `Streams.BatchAppend`, as it does in production.
   * `append-only`: like an older server, without ServerFeatures or BatchAppend, so the client
   * falls back to `Streams.Append`.
   */
  features?: 'batch-append' | 'append-only';
}

export interface EsdbStandIn {
  log: StandInLog;
  port: number;
  connectionString: string;
  /** RPCs started, per method: shows which path a client took. */
  calls: Record<StandInRpc, number>;
  /** Appends answered (written, recognised as a retry, or refused), per method that carried them. */
  appends: Record<AppendRpc, number>;
  /** Ends every live subscription with UNAVAILABLE, as a server restart or leader change would. */
  dropSubscriptions(): void;
  stop(): Promise<void>;
}

/**
 * A test-only EventStoreDB: the client package's own generated `Streams` (and `ServerFeatures`)
 * service definitions served by grpc-js over an in-memory log (see README.md for what it does not
 * imitate).
 */
export async function startEsdbStandIn({ features = 'batch-append' }: EsdbStandInOptions = {}): Promise<EsdbStandIn> {
  const log = new StandInLog();
  const subscriptions = new Set<ReadCall>();
  const calls: Record<StandInRpc, number> = {
    'Streams.Read': 0, 'Streams.Append': 0, 'Streams.BatchAppend': 0, 'ServerFeatures.GetSupportedMethods': 0,
  };
  const appends: Record<AppendRpc, number> = { 'Streams.Append': 0, 'Streams.BatchAppend': 0 };
  const server = new grpc.Server();
  const unimplemented = (_call: unknown, callback: grpc.sendUnaryData<never>) =>
    callback({ code: grpc.status.UNIMPLEMENTED, details: 'not imitated by the stand-in' });
  const batchAppendSupported = features === 'batch-append';
  server.addService(StreamsService, {
    read: (call: ReadCall) => {
      calls['Streams.Read'] += 1;
      read(log, subscriptions, call);
    },
    append: (call: AppendCall, callback: grpc.sendUnaryData<AppendResp>) => {
      calls['Streams.Append'] += 1;
      append(log, call, callback, () => { appends['Streams.Append'] += 1; });
    },
    delete: unimplemented,
    tombstone: unimplemented,
    batchAppend: (call: BatchAppendCall) => {
      calls['Streams.BatchAppend'] += 1;
      // A server from before 21.10 has no BatchAppend at all.
      if (!batchAppendSupported) return void call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'unknown method' });
      batchAppend(log, call, () => { appends['Streams.BatchAppend'] += 1; });
    },
  });
  // Older servers have no ServerFeatures service: grpc answers UNIMPLEMENTED, and the client then
  // assumes an unknown server version and uses Streams.Append only.
  if (batchAppendSupported) {
    server.addService(ServerFeaturesService, {
      getSupportedMethods: (_call: unknown, callback: grpc.sendUnaryData<ReturnType<typeof supportedMethods>>) => {
        calls['ServerFeatures.GetSupportedMethods'] += 1;
        callback(null, supportedMethods());
      },
    });
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
  return {
    log,
    port,
    connectionString: `esdb://127.0.0.1:${port}?tls=false`,
    calls,
    appends,
    dropSubscriptions() {
      for (const call of subscriptions) call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'stand-in dropped the subscription' });
      subscriptions.clear();
    },
    stop: () => new Promise<void>((resolve) => {
      server.forceShutdown();
      resolve();
    }),
  };
}

function append(log: StandInLog, call: AppendCall, callback: grpc.sendUnaryData<AppendResp>, onAppend: () => void): void {
  let options: AppendReq.Options | undefined;
  const events: ProposedEvent[] = [];
  call.on('data', (request: AppendReq) => {
    if (request.hasOptions()) options = request.getOptions();
    const message = request.getProposedMessage();
    if (message) events.push(toProposed(message));
  });
  call.on('end', () => {
    if (!options) return callback({ code: grpc.status.INVALID_ARGUMENT, details: 'append without options' });
    const streamId = streamName(options.getStreamIdentifier());
    onAppend();
    callback(null, toAppendResp(log.append(streamId, events, expectedOf(options))));
  });
}

function expectedOf(options: AppendReq.Options): Expected {
  const Case = AppendReq.Options.ExpectedStreamRevisionCase;
  switch (options.getExpectedStreamRevisionCase()) {
    case Case.REVISION: return BigInt(options.getRevision());
    case Case.NO_STREAM: return 'no_stream';
    case Case.STREAM_EXISTS: return 'stream_exists';
    default: return 'any';
  }
}

function toAppendResp(outcome: AppendOutcome): AppendResp {
  const response = new AppendResp();
  if (outcome.kind === 'wrong_expected_version') {
    const wrong = new AppendResp.WrongExpectedVersion();
    if (outcome.current === 'no_stream') wrong.setCurrentNoStream(new Empty());
    else wrong.setCurrentRevision(outcome.current.toString());
    const expected = outcome.expected;
    if (typeof expected === 'bigint') wrong.setExpectedRevision(expected.toString());
    else if (expected === 'no_stream') wrong.setExpectedNoStream(new Empty());
    else if (expected === 'stream_exists') wrong.setExpectedStreamExists(new Empty());
    else wrong.setExpectedAny(new Empty());
    return response.setWrongExpectedVersion(wrong);
  }
  const success = new AppendResp.Success().setCurrentRevision(outcome.currentRevision.toString());
  if (outcome.position === null) success.setNoPosition(new Empty());
  else success.setPosition(new AppendResp.Position()
    .setCommitPosition(outcome.position.toString()).setPreparePosition(outcome.position.toString()));
  return response.setSuccess(success);
}

function read(log: StandInLog, subscriptions: Set<ReadCall>, call: ReadCall): void {
  const options = call.request.getOptions();
  if (!options) return void call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'read without options' });
  const matches = filterOf(options);
  if (options.hasSubscription()) return subscribe(log, subscriptions, call, options, matches);
  const forwards = options.getReadDirection() === ReadReq.Options.ReadDirection.FORWARDS;
  const count = options.hasCount() ? Number(BigInt(options.getCount())) : Number.MAX_SAFE_INTEGER;
  let records: LogRecord[];
  const streamOptions = options.getStream();
  if (streamOptions) {
    const name = streamName(streamOptions.getStreamIdentifier());
    const stream = log.stream(name);
    if (!stream) {
      call.write(new ReadResp().setStreamNotFound(new ReadResp.StreamNotFound().setStreamIdentifier(identifier(name))));
      return void call.end();
    }
    const revision = streamOptions.hasRevision() ? Number(BigInt(streamOptions.getRevision())) : null;
    if (forwards) records = stream.slice(revision ?? (streamOptions.hasEnd() ? stream.length : 0));
    else records = stream.slice(0, revision === null ? (streamOptions.hasStart() ? 1 : stream.length) : revision + 1).reverse();
  } else {
    const all = options.getAll()!;
    const position = all.hasPosition() ? BigInt(all.getPosition()!.getCommitPosition()) : null;
    // Forwards from a position includes the event there; backwards from it starts just before it.
    if (forwards) records = all.hasEnd() ? [] : log.records.filter((r) => position === null || r.position >= position);
    else records = all.hasStart() ? [] : log.records.filter((r) => position === null || r.position < position).reverse();
    records = records.filter(matches);
  }
  void writeAll(call, records.slice(0, count).map(toReadResp)).then(() => call.end());
}

function subscribe(log: StandInLog, subscriptions: Set<ReadCall>, call: ReadCall, options: ReadReq.Options, matches: (r: LogRecord) => boolean): void {
  const streamOptions = options.getStream();
  const all = options.getAll();
  let belongs: (r: LogRecord) => boolean;
  let catchUp: LogRecord[];
  if (streamOptions) {
    const name = streamName(streamOptions.getStreamIdentifier());
    const stream = log.stream(name) ?? [];
    belongs = (r) => r.streamId === name;
    // A subscription starts after the revision or position it is given.
    catchUp = streamOptions.hasRevision() ? stream.slice(Number(BigInt(streamOptions.getRevision())) + 1)
      : streamOptions.hasEnd() ? [] : stream.slice();
  } else {
    const position = all?.hasPosition() ? BigInt(all.getPosition()!.getCommitPosition()) : null;
    belongs = matches;
    catchUp = all?.hasEnd() ? [] : log.records.filter((r) => (position === null || r.position > position) && matches(r));
  }
  const queue: ReadResp[] = [
    new ReadResp().setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId(`stand-in-${Date.now()}`)),
    ...catchUp.map(toReadResp),
    new ReadResp().setCaughtUp(new ReadResp.CaughtUp()),
  ];
  subscriptions.add(call);
  let pumping = false;
  const pump = async () => {
    if (pumping) return;
    pumping = true;
    while (queue.length && !call.cancelled && subscriptions.has(call)) await writeAll(call, queue.splice(0, queue.length));
    pumping = false;
  };
  const unlisten = log.onAppend((records) => {
    queue.push(...records.filter(belongs).map(toReadResp));
    void pump();
  });
  const finish = () => {
    unlisten();
    subscriptions.delete(call);
  };
  call.on('cancelled', finish);
  call.on('error', finish);
  call.on('close', finish);
  void pump();
}

/** Writes in order, waiting for the client to drain when grpc's buffer is full. */
async function writeAll(call: ReadCall, responses: ReadResp[]): Promise<void> {
  for (const response of responses) {
    if (call.cancelled) return;
    if (!call.write(response)) await new Promise((resolve) => call.once('drain', resolve));
  }
}

function filterOf(options: ReadReq.Options): (record: LogRecord) => boolean {
  const filter = options.getFilter();
  if (!filter) return () => true;
  const onStream = filter.hasStreamIdentifier();
  const expression = onStream ? filter.getStreamIdentifier()! : filter.getEventType()!;
  const prefixes = expression.getPrefixList();
  const regex = expression.getRegex() ? new RegExp(expression.getRegex()) : null;
  return (record) => {
    const value = onStream ? record.streamId : record.type;
    if (prefixes.length) return prefixes.some((prefix) => value.startsWith(prefix));
    return regex ? regex.test(value) : true;
  };
}

function toReadResp(record: LogRecord): ReadResp {
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(new UUID().setString(record.id))
    .setStreamIdentifier(identifier(record.streamId))
    .setStreamRevision(String(record.revision))
    .setPreparePosition(record.position.toString())
    .setCommitPosition(record.position.toString())
    .setCustomMetadata(record.customMetadata)
    .setData(record.data);
  recorded.getMetadataMap()
    .set('type', record.type)
    .set('content-type', record.contentType)
    .set('created', record.created.toString());
  const event = new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(record.position.toString());
  return new ReadResp().setEvent(event);
}
