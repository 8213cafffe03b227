import * as grpc from '@grpc/grpc-js';
import { Any } from 'google-protobuf/google/protobuf/any_pb';
import { Empty } from 'google-protobuf/google/protobuf/empty_pb';
import { Code } from '@eventstore/db-client/generated/code_pb';
import { AllStreamPosition, BadRequest, StreamIdentifier, Timeout, UUID, WrongExpectedVersion } from '@eventstore/db-client/generated/shared_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import { BatchAppendReq, BatchAppendResp } from '@eventstore/db-client/generated/streams_pb';
import { AppendOutcome, Expected, ProposedEvent, StandInLog } from './stand-in-log';
import { streamName, toProposed } from './stand-in-wire';

export type BatchAppendCall = grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>;

interface PendingWrite {
  streamIdentifier: StreamIdentifier;
  expected: Expected;
  events: ProposedEvent[];
  timer: NodeJS.Timeout;
}

/** setTimeout's ceiling; a client that sends no deadline gets "never" in practice. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `Streams.BatchAppend` as EventStoreDB's BatchAppendWorker answers it: one long-lived bidi stream
 * carrying many appends, each identified by its correlation id. The first request of an append
 * carries the options; proposed messages may span several requests; the append is applied when
 * `is_final` arrives. Every answer echoes the correlation id and names the stream; failures are
 * a `google.rpc.Status` with the detail packed in `Any`, which the client unpacks by type name.
 */
export function batchAppend(log: StandInLog, call: BatchAppendCall, onAppend: () => void): void {
  const pending = new Map<string, PendingWrite>();
  const respond = (response: BatchAppendResp) => {
    if (!call.cancelled && !call.writableEnded) call.write(response);
  };
  call.on('data', (request: BatchAppendReq) => {
    const correlation = request.getCorrelationId() ?? new UUID();
    const key = correlationKey(correlation);
    const options = request.getOptions();
    if (options) {
      const stream = options.getStreamIdentifier();
      if (!stream) return respond(failure(correlation, undefined, badRequest('Required field StreamIdentifier not set.')));
      const expected = expectedOf(options);
      if (expected === null) return respond(failure(correlation, stream, badRequest('expected stream position not set')));
      const timeoutMs = timeoutOf(options);
      if (timeoutMs <= 0) return respond(failure(correlation, stream, timeout()));
      // A repeated options message for a pending append keeps the first, as the server does.
      if (!pending.has(key)) {
        const timer = setTimeout(() => {
          if (pending.delete(key)) respond(failure(correlation, stream, timeout()));
        }, Math.min(timeoutMs, MAX_TIMER_MS)).unref();
        pending.set(key, { streamIdentifier: stream, expected, events: [], timer });
      }
    }
    const write = pending.get(key);
    // Messages for an append that never sent options (or already timed out) are dropped.
    if (!write) return;
    write.events.push(...request.getProposedMessagesList().map(toProposed));
    if (!request.getIsFinal()) return;
    pending.delete(key);
    clearTimeout(write.timer);
    onAppend();
    const outcome = log.append(streamName(write.streamIdentifier), write.events, write.expected);
    respond(toBatchAppendResp(correlation, write.streamIdentifier, outcome));
  });
  const abandon = () => {
    for (const write of pending.values()) clearTimeout(write.timer);
    pending.clear();
  };
  call.on('end', () => {
    abandon();
    call.end();
  });
  call.on('cancelled', abandon);
  call.on('error', abandon);
}

function correlationKey(id: UUID): string {
  const structured = id.getStructured();
  return structured ? `${structured.getMostSignificantBits()}:${structured.getLeastSignificantBits()}` : id.getString();
}

function expectedOf(options: BatchAppendReq.Options): Expected | null {
  const Case = BatchAppendReq.Options.ExpectedStreamPositionCase;
  switch (options.getExpectedStreamPositionCase()) {
    case Case.STREAM_POSITION: return BigInt(options.getStreamPosition());
    case Case.NO_STREAM: return 'no_stream';
    case Case.STREAM_EXISTS: return 'stream_exists';
    case Case.ANY: return 'any';
    default: return null;
  }
}

/** Milliseconds left until the client's deadline (a timestamp, as client 6.2.1 sends it). */
function timeoutOf(options: BatchAppendReq.Options): number {
  const deadline = options.getDeadline();
  return deadline ? deadline.toDate().getTime() - Date.now() : Number.POSITIVE_INFINITY;
}

function toBatchAppendResp(correlation: UUID, stream: StreamIdentifier, outcome: AppendOutcome): BatchAppendResp {
  if (outcome.kind === 'wrong_expected_version') return failure(correlation, stream, wrongExpectedVersion(outcome));
  const success = new BatchAppendResp.Success().setCurrentRevision(outcome.currentRevision.toString());
  // A recognised retry writes nothing, so the server has no position to report.
  if (outcome.position === null) success.setNoPosition(new Empty());
  else success.setPosition(new AllStreamPosition()
    .setCommitPosition(outcome.position.toString()).setPreparePosition(outcome.position.toString()));
  return new BatchAppendResp().setCorrelationId(correlation).setStreamIdentifier(stream).setSuccess(success);
}

function failure(correlation: UUID, stream: StreamIdentifier | undefined, status: Status): BatchAppendResp {
  const response = new BatchAppendResp().setCorrelationId(correlation).setError(status);
  return stream ? response.setStreamIdentifier(stream) : response;
}

function status(code: Code, message: string, detail: { serializeBinary(): Uint8Array }, typeName: string): Status {
  const details = new Any();
  details.pack(detail.serializeBinary(), typeName);
  return new Status().setCode(code).setMessage(message).setDetails(details);
}

function wrongExpectedVersion(outcome: Extract<AppendOutcome, { kind: 'wrong_expected_version' }>): Status {
  const detail = new WrongExpectedVersion();
  if (outcome.current === 'no_stream') detail.setCurrentNoStream(new Empty());
  else detail.setCurrentStreamRevision(outcome.current.toString());
  const expected = outcome.expected;
  if (typeof expected === 'bigint') detail.setExpectedStreamPosition(expected.toString());
  else if (expected === 'no_stream') detail.setExpectedNoStream(new Empty());
  else if (expected === 'stream_exists') detail.setExpectedStreamExists(new Empty());
  else detail.setExpectedAny(new Empty());
  return status(Code.ALREADY_EXISTS, 'WrongExpectedVersion', detail, 'event_store.client.WrongExpectedVersion');
}

const timeout = () => status(Code.DEADLINE_EXCEEDED, 'Timeout', new Timeout(), 'event_store.client.Timeout');
const badRequest = (message: string) =>
  status(Code.INVALID_ARGUMENT, 'BadRequest', new BadRequest().setMessage(message), 'event_store.client.BadRequest');
