import { Command } from 'commander';
import { checkpointCommand, CheckpointCliOptions } from './checkpoint-command';
import { UsageError } from './sources';
import { verifyCommand, VerifyCliOptions } from './verify-command';
import { dossierCommand, DossierCliOptions } from './dossier-command';

const print = (line: string) => process.stdout.write(`${line}\n`);

function exitWith(promise: Promise<number>): void {
  promise.then((code) => process.exit(code)).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(error instanceof UsageError ? 2 : 3);
  });
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
    .option('--data-dir <dir>', 'where audit.sqlite is (and the events, for --sign)')
    .option('--store <url>', 'the events, for --sign, when not in --data-dir')
    .option('--out <file>', 'write it to a new file instead of stdout')
    .option('--sign', 'first bring the tree up to the head and sign it with AUDIT_SIGNING_KEY_FILE (when no worker follows this directory)', false)
    .action((options: CheckpointCliOptions) => exitWith(checkpointCommand(options, print)));
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
