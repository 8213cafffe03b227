import { StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { ProposedEvent } from './stand-in-log';

/** What `AppendReq.ProposedMessage` and `BatchAppendReq.ProposedMessage` have in common. */
interface WireProposedMessage {
  getId(): UUID | undefined;
  getMetadataMap(): { get(key: string): string | undefined };
  getData_asU8(): Uint8Array;
  getCustomMetadata_asU8(): Uint8Array;
}

export function toProposed(message: WireProposedMessage): ProposedEvent {
  const metadata = message.getMetadataMap();
  return {
    id: message.getId()?.getString() ?? '',
    type: metadata.get('type') ?? '',
    contentType: metadata.get('content-type') ?? 'application/octet-stream',
    data: message.getData_asU8(),
    customMetadata: message.getCustomMetadata_asU8(),
  };
}

export const identifier = (name: string) => new StreamIdentifier().setStreamName(Buffer.from(name, 'utf8'));
export const streamName = (id: StreamIdentifier | undefined) =>
  Buffer.from(id?.getStreamName_asU8() ?? new Uint8Array()).toString('utf8');
