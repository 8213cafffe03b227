export interface EsdbEventStoreOptions {
  /** How long `connect` waits for the server to answer before giving up. */
  connectTimeoutMs?: number;
}

/** The store's name as it appears in error messages: the connection string without credentials. */
export const describeEsdb = (connectionString: string) =>
  `EventStoreDB at ${connectionString.replace(/\/\/[^@/]*@/, '//')}`;
