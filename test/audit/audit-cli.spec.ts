import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignedCheckpoint } from '@civicloop/audit';
import { verifyCommand } from '../../apps/api/src/cli/audit/verify-command';
import { dossierCommand } from '../../apps/api/src/cli/audit/dossier-command';
import { UsageError } from '../../apps/api/src/cli/audit/sources';
import { checkpointCommand } from '../../apps/api/src/cli/audit/checkpoint-command';
import { buildTree, copyDataDir, openStore, rawEvents, simulatedDataDir, streamWith } from './audit-fixture';

describe('npm run audit', () => {
  let dataDir: string;
  let checkpointFile: string;
  let checkpoint: SignedCheckpoint;
  const dirs: string[] = [];
  const run = async (options: Partial<Parameters<typeof verifyCommand>[0]>) => {
    const lines: string[] = [];
    const code = await verifyCommand({ progress: false, json: false, ...options }, (line) => lines.push(line));
    return { code, text: lines.join('\n') };
  };

  beforeAll(async () => {
    dataDir = await simulatedDataDir(8);
    const store = openStore(dataDir);
    checkpoint = await buildTree(store, dataDir);
    await store.close();
    checkpointFile = join(dataDir, '..', `auditor-${Date.now()}.json`);
    writeFileSync(checkpointFile, JSON.stringify(checkpoint));
  }, 60_000);
  afterAll(() => [dataDir, checkpointFile, ...dirs].forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('verify: exit 0 and a summary for an intact log, against the latest signed checkpoint', async () => {
    const { code, text } = await run({ dataDir });
    expect(code).toBe(0);
    expect(text).toMatch(/^INTACT: \d+ events in \d+ streams/);
    expect(text).toContain(`checkpoint of ${checkpoint.treeSize} events signed ${checkpoint.signedAt} (the latest checkpoint in audit.sqlite): matches, signature valid`);
  });

  it('verify: exit 1 naming the first broken event and that the auditor\'s checkpoint no longer matches', async () => {
    const dir = copyDataDir(dataDir);
    dirs.push(dir);
    const db = rawEvents(dir);
    const { streamId, rows } = streamWith(db, 3);
    db.prepare('DELETE FROM events WHERE stream_id = ? AND revision = 1').run(streamId);
    db.close();
    const { code, text } = await run({ dataDir: dir, checkpoint: checkpointFile });
    expect(code).toBe(1);
    expect(text).toContain(`first broken event: deleted at ${streamId} revision 1 (global position ${rows[2].position})`);
    expect(text).toMatch(/DOES NOT MATCH, signature valid/);
  });

  it('verify --stream checks one case; bad arguments are usage errors', async () => {
    const db = rawEvents(dataDir);
    const { streamId } = streamWith(db, 1);
    db.close();
    expect((await run({ dataDir, stream: streamId })).text).toMatch(/^INTACT: \d+ events in 1 streams/);
    await expect(run({ dataDir, stream: '../etc' })).rejects.toThrow(UsageError);
    await expect(run({ dataDir, checkpoint: '/nonexistent.json' })).rejects.toThrow('no such file');
    await expect(run({ dataDir: '/nonexistent' })).rejects.toThrow('no event store');
  });

  it('checkpoint: --sign brings a directory no worker followed up to date, --out keeps it (never overwriting), verify holds the log to it', async () => {
    const dir = copyDataDir(dataDir);
    dirs.push(dir);
    ['audit.sqlite', 'audit.sqlite-wal', 'audit.sqlite-shm'].forEach((f) => rmSync(join(dir, f), { force: true }));
    await expect(checkpointCommand({ dataDir: dir }, () => undefined)).rejects.toThrow('no audit.sqlite');
    const kept = join(dir, 'kept.json');
    const lines: string[] = [];
    expect(await checkpointCommand({ dataDir: dir, sign: true, out: kept }, (line) => lines.push(line))).toBe(0);
    expect(lines[0]).toMatch(new RegExp(`^checkpoint of ${checkpoint.treeSize} events signed .* written to `));
    expect(JSON.parse(readFileSync(kept, 'utf8'))).toMatchObject({ treeSize: checkpoint.treeSize, rootHash: checkpoint.rootHash, publicKey: checkpoint.publicKey });
    await expect(checkpointCommand({ dataDir: dir, out: kept }, () => undefined)).rejects.toThrow('EEXIST');
    expect((await run({ dataDir: dir, checkpoint: kept })).code).toBe(0);
  });

  it('dossier: a Chinese page with the timeline and every event proven against the checkpoint', async () => {
    const db = rawEvents(dataDir);
    const { streamId } = streamWith(db, 3);
    db.close();
    const caseId = streamId.slice('case-'.length);
    const out = join(dataDir, 'dossier.html');
    await dossierCommand(caseId, { dataDir, out, json: false }, () => undefined);
    const json: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (json.push(String(chunk)), true));
    try {
      await dossierCommand(caseId, { dataDir, json: true }, () => undefined);
    } finally {
      write.mockRestore();
    }
    const dossier = JSON.parse(json.join(''));
    expect(dossier.timeline[0].text).toMatch(/^经.+受理/);
    expect(dossier.proof).toMatchObject({ chainIntact: true, checkpoint: { treeSize: checkpoint.treeSize, signatureValid: true } });
    expect(dossier.proof.eventsProven).toBe(dossier.timeline.length);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('工单审计档案');
    expect(html).toContain('并已由签名检查点证明');
    await expect(dossierCommand('no-such-case', { dataDir, json: false }, () => undefined)).rejects.toThrow('no case no-such-case');
  });
});
