import { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditStore, catchUpAndSign, loadOrCreateSigningKey } from '@civicloop/audit';
import { openAudit, openEvents, UsageError } from './sources';
import { verifyCommand, VerifyCliOptions } from './verify-command';
import { dossierCommand, DossierCliOptions } from './dossier-command';

const print = (line: string) => process.stdout.write(`${line}\n`);

function exitWith(promise: Promise<number>): void {
  promise.then((code) => process.exit(code)).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(error instanceof UsageError ? 2 : 3);
  });
}

/** `audit checkpoint`: the latest signed checkpoint, for an auditor to keep outside the system. */
async function exportCheckpoint(options: { dataDir?: string; out?: string; sign?: boolean }): Promise<number> {
  if (options.sign) await signNow(options);
  const audit = openAudit(options);
  if (!audit) throw new UsageError(`no audit.sqlite in ${options.dataDir ?? process.env.DATA_DIR ?? './data'} (has the worker run there? or pass --sign)`);
  try {
    const checkpoint = audit.latestCheckpoint();
    if (!checkpoint) throw new UsageError('no checkpoint has been signed yet');
    const text = `${JSON.stringify(checkpoint, null, 2)}\n`;
    if (options.out) {
      writeFileSync(options.out, text, { flag: 'wx' });
      print(`checkpoint of ${checkpoint.treeSize} events signed ${checkpoint.signedAt} written to ${options.out}`);
    } else process.stdout.write(text);
    return 0;
  } finally {
    audit.close();
  }
}

/** Brings the tree up to the head and signs it, as the worker would (for a directory no worker followed). */
async function signNow(options: { dataDir?: string }): Promise<void> {
  const dataDir = options.dataDir ?? process.env.DATA_DIR ?? './data';
  const store = await openEvents(options);
  const audit = new AuditStore(join(dataDir, 'audit.sqlite'));
  try {
    await catchUpAndSign(store, audit, loadOrCreateSigningKey(process.env.AUDIT_SIGNING_KEY_FILE || join(dataDir, 'audit-signing-key.pem')));
  } finally {
    audit.close();
    await store.close();
  }
}

if (require.main === module) {
  const program = new Command('audit').description('prove the event history: verify the hash chains, export checkpoints, print dossiers');
  program.command('verify')
    .description('re-hash the log; exit 0 when intact, 1 naming the first broken event and whether the checkpoint still matches')
    .option('--data-dir <dir>', 'the embedded store (DATA_DIR/events.sqlite) and its audit.sqlite')
    .option('--store <url>', 'another store: esdb://…, sqlite:<file>')
    .option('--stream <stream>', 'check only this stream\'s chain, e.g. case-<id>')
    .option('--checkpoint <file>', 'a checkpoint exported earlier (default: the latest in audit.sqlite)')
    .option('--no-progress', 'no progress bar')
    .option('--json', 'the report as JSON', false)
    .action((options: VerifyCliOptions) => exitWith(verifyCommand(options, print)));
  program.command('checkpoint')
    .description('export the latest signed checkpoint (JSON with its public key)')
    .option('--data-dir <dir>', 'where audit.sqlite is')
    .option('--out <file>', 'write it to a new file instead of stdout')
    .option('--sign', 'first bring the tree up to the head and sign it with AUDIT_SIGNING_KEY_FILE (when no worker follows this directory)', false)
    .action((options: { dataDir?: string; out?: string; sign?: boolean }) => exitWith(exportCheckpoint(options)));
  program.command('dossier')
    .argument('<caseId>', 'the case')
    .description('a self-contained printable page (Chinese) of a case: timeline, escalations, deadlines, ratings, unmasking, hash proof')
    .option('--data-dir <dir>', 'the embedded store and its audit.sqlite')
    .option('--store <url>', 'another event store')
    .option('--out <file>', 'write the page here (default: stdout)')
    .option('--json', 'the dossier as JSON', false)
    .action((caseId: string, options: DossierCliOptions) => exitWith(dossierCommand(caseId, options, print)));
  program.parse();
}
