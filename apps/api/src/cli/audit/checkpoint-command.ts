import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditStore, catchUpAndSign, loadOrCreateSigningKey } from '@civicloop/audit';
import { openAudit, openEvents, SourceOptions, UsageError } from './sources';

export interface CheckpointCliOptions extends SourceOptions {
  out?: string;
  sign?: boolean;
}

/** `audit checkpoint`: the latest signed checkpoint (JSON with its public key), for an auditor to keep outside the system. */
export async function checkpointCommand(options: CheckpointCliOptions, out: (line: string) => void): Promise<number> {
  if (options.sign) await signNow(options);
  const audit = openAudit(options);
  if (!audit) throw new UsageError(`no audit.sqlite in ${dataDirOf(options)} (has the worker run there? or pass --sign)`);
  try {
    const checkpoint = audit.latestCheckpoint();
    if (!checkpoint) throw new UsageError('no checkpoint has been signed yet (pass --sign to sign one now)');
    const text = `${JSON.stringify(checkpoint, null, 2)}\n`;
    if (options.out) {
      writeFileSync(options.out, text, { flag: 'wx' }); // never overwrite a checkpoint kept earlier
      out(`checkpoint of ${checkpoint.treeSize} events signed ${checkpoint.signedAt} written to ${options.out}`);
    } else out(text.trimEnd());
    return 0;
  } finally {
    audit.close();
  }
}

const dataDirOf = (options: SourceOptions) => options.dataDir ?? process.env.DATA_DIR ?? './data';

/** Brings the tree up to the head and signs it, as the worker would (for a directory no worker followed). */
async function signNow(options: CheckpointCliOptions): Promise<void> {
  const dataDir = dataDirOf(options);
  const store = await openEvents(options);
  const audit = new AuditStore(join(dataDir, 'audit.sqlite'));
  try {
    await catchUpAndSign(store, audit, loadOrCreateSigningKey(process.env.AUDIT_SIGNING_KEY_FILE || join(dataDir, 'audit-signing-key.pem')));
  } finally {
    audit.close();
    await store.close();
  }
}
