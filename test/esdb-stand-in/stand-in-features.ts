import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { SupportedMethod, SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';

/** The release the docker compose files pin; the server reports major.minor.patch only. */
export const STAND_IN_SERVER_VERSION = '24.10.0';

/**
 * Only the methods the stand-in really serves, with the features EventStoreDB's own
 * ServerFeatures.cs attaches to them (Read: position, events; BatchAppend: deadline_duration).
 * The server derives each entry from its gRPC endpoint path and lowercases both names; the client
 * lowercases the path it asks about before looking it up.
 */
const ADVERTISED: Array<[{ path: string }, string[]]> = [
  [StreamsService.read, ['position', 'events']],
  [StreamsService.append, []],
  [StreamsService.batchAppend, ['deadline_duration']],
  [ServerFeaturesService.getSupportedMethods, []],
];

export function supportedMethods(serverVersion = STAND_IN_SERVER_VERSION): SupportedMethods {
  const methods = ADVERTISED.map(([method, features]) => {
    const [, serviceName, methodName] = method.path.split('/');
    return new SupportedMethod()
      .setServiceName(serviceName.toLowerCase())
      .setMethodName(methodName.toLowerCase())
      .setFeaturesList(features);
  });
  return new SupportedMethods().setMethodsList(methods).setEventStoreServerVersion(serverVersion);
}
