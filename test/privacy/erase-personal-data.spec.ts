import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Role } from '@civicloop/domain';
import { Directory, DEMO_DIRECTORY_FILE } from '@civicloop/directory';
import { SqliteEventStore } from '@civicloop/event-store';
import { demoUser, signToken } from '../../apps/api/src/cli/token';
import { verifyCommand } from '../../apps/api/src/cli/audit/verify-command';
import { migrate } from '../../apps/api/src/cli/migrate/migrate';
import { ApiProcess, startApiProcess } from '../support/api-process';
import { RedisServer, startRedis } from '../support/redis-server';

jest.setTimeout(120_000);

const SECRET = 'pipl-test-secret-0123456789abcdef-0123456789';
const directory = Directory.fromFile(DEMO_DIRECTORY_FILE);
const token = (role: Role) => signToken(SECRET, demoUser(directory, role), '1h');

// What the resident gave us: none of it may survive the erasure anywhere.
const PHONE = '13912345678';
const NAME = '欧阳娜娜';
const PHRASE = '废旧自行车堵死了消防通道';
const UNIT = '甲单元';
const COMMENT = '物业态度很好谢谢小陈';
const SECRETS = [PHONE, NAME, PHRASE, UNIT, COMMENT];

/** Every file of the data directory (events, its -wal, read models, keys, audit, app state), as bytes. */
const dataFiles = (dir: string) => readdirSync(dir).map((name) => ({ name, bytes: readFileSync(join(dir, name)) }));
const found = (bytes: Buffer, text: string | Buffer) => bytes.includes(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`waited 20 s for ${what}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

describe('erasing a resident\'s personal data (PIPL art. 47), on a started service', () => {
  let dataDir: string;
  let elsewhere: string;
  let redis: RedisServer;
  let api: ApiProcess;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'civicloop-pipl-'));
    elsewhere = mkdtempSync(join(tmpdir(), 'civicloop-pipl-migrated-'));
    redis = await startRedis();
    api = await startApiProcess({ DATA_DIR: dataDir, JWT_SECRET: SECRET, WORKER_IN_PROCESS: 'true', REDIS_URL: redis.url, LOG_LEVEL: 'debug' });
  });
  afterAll(async () => {
    await api?.stop();
    await redis?.stop();
    [dataDir, elsewhere].forEach((dir) => dir && rmSync(dir, { recursive: true, force: true }));
  });

  it('stores ciphertext, erases for good, answers 已删除 everywhere, and every proof still holds', async () => {
    const operator = token('operator');
    const received = await api.request('POST', '/cases', {
      token: operator,
      body: {
        channel: 'phone', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint', description: `楼下${PHRASE}，请尽快处理`,
        location: { compoundId: 'compound-01', building: '3', unit: UNIT }, reporter: { name: NAME, phone: PHONE },
      },
    });
    expect(received.status).toBe(201);
    const id: string = received.body.id;
    expect((await api.request('POST', `/cases/${id}/note`, { token: operator, body: { text: `${NAME}来电补充：${PHRASE}` } })).status).toBe(200);
    const close = await api.request('POST', `/cases/${id}/close`, { token: operator, body: { reason: '居民撤诉' } });
    expect(close.status).toBe(200);

    // Before: the API shows the data, the log holds none of it in plain text.
    const before = await api.request('GET', `/cases/${id}`, { token: operator });
    expect(before.body.description).toContain(PHRASE);
    const log = new SqliteEventStore(join(dataDir, 'events.sqlite'), { cachedEvents: 0 });
    const storedEvents = await log.readStream(`case-${id}`);
    const stored = JSON.stringify(storedEvents);
    await log.close();
    for (const secret of SECRETS) expect(stored).not.toContain(secret);
    expect(stored).toContain('pd3:');
    const keys = new Database(join(dataDir, 'personal-data-keys.sqlite'), { readonly: true });
    // By the id the intake names (the case's claim on it is written a few ms later, without an fsync).
    const key = keys.prepare('SELECT key FROM data_keys WHERE key_id = ?').get(storedEvents[0].metadata.keyId) as { key: Buffer };
    keys.close();
    expect(key.key).toHaveLength(32);
    await until(async () => {
      const board = await api.request('GET', `/views/board?q=${encodeURIComponent(PHRASE)}&consistentWith=${close.body.position}`, { token: operator });
      return JSON.stringify(board.body).includes(id) ? true : undefined;
    }, 'the board to hold the description');

    // Only an operator or an admin may erase, and only once.
    expect((await api.request('POST', `/cases/${id}/erase-personal-data`, { token: token('handler'), body: { reason: '删除' } })).status).toBe(403);
    expect((await api.request('POST', `/cases/${id}/erase-personal-data`, { token: operator, body: {} })).status).toBe(400);
    const erased = await api.request('POST', `/cases/${id}/erase-personal-data`, { token: operator, body: { reason: '居民依法申请删除' } });
    expect(erased.status).toBe(200);
    const again = await api.request('POST', `/cases/${id}/erase-personal-data`, { token: token('admin'), body: { reason: '再次' } });
    expect(again.status).toBe(409);
    expect(JSON.stringify(again.body)).toContain('PERSONAL_DATA_ALREADY_ERASED');

    // Every endpoint answers, and without the data.
    const auditor = token('auditor');
    const reads: [string, string][] = [
      [`/cases/${id}`, operator], [`/cases/${id}/events`, operator], [`/cases/${id}/events`, auditor],
      [`/cases/${id}/dossier`, auditor], [`/cases/${id}/chain?consistentWith=${erased.body.position}`, operator],
      [`/cases/${id}/chain?asOf=1`, operator],
      [`/views/board?consistentWith=${erased.body.position}`, operator], [`/views/board?format=csv&consistentWith=${erased.body.position}`, operator],
    ];
    for (const [path, as] of reads) {
      const answer = await api.request('GET', path, { token: as, headers: path.includes('dossier') ? { accept: 'text/html' } : {} });
      expect([path, answer.status]).toEqual([path, 200]);
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      for (const secret of SECRETS) expect([path, text.includes(secret)]).toEqual([path, false]);
    }
    const unmasked = await api.request('POST', `/cases/${id}/unmask`, { token: auditor, body: { reason: '复核删除结果' } });
    expect(unmasked.body.reporter).toMatchObject({ name: '已删除', phone: '已删除' });
    const after = await api.request('GET', `/cases/${id}`, { token: operator });
    expect(after.body.description).toBe('已删除');
    // Masked for an auditor, what erasure left still reads 已删除 (not 已**, which looks like a surname).
    const masked = await api.request('GET', `/cases/${id}`, { token: auditor });
    expect(masked.body.reporter).toMatchObject({ name: '已删除', phone: '已删除' });
    expect(after.body.category).toBe('repair.water_leak');

    // Nothing in the files (events, -wal, read models and their -wal, keys and theirs) nor in the service log.
    const search = await api.request('GET', `/views/board?q=${encodeURIComponent(PHRASE)}&consistentWith=${unmasked.body.position}`, { token: operator });
    expect(JSON.stringify(search.body)).not.toContain(id);
    for (const { name, bytes } of dataFiles(dataDir)) {
      for (const secret of [...SECRETS, key.key]) expect([name, found(bytes, secret)]).toEqual([name, false]);
    }
    for (const secret of SECRETS) expect(api.stdout().includes(secret)).toBe(false);
    expect(api.stdout().includes(key.key.toString('base64'))).toBe(false);
    expect(api.stdout().includes(key.key.toString('hex'))).toBe(false);

    // The proofs hold: audit verify here, and after migrating the erased log to another store.
    const lines: string[] = [];
    expect(await verifyCommand({ dataDir, progress: false, json: false }, (line) => lines.push(line))).toBe(0);
    const source = new SqliteEventStore(join(dataDir, 'events.sqlite'), { cachedEvents: 0 });
    const target = new SqliteEventStore(join(elsewhere, 'events.sqlite'));
    try {
      await migrate({ from: { name: 'here', store: source }, to: { name: 'elsewhere', store: target }, checkpointFile: join(elsewhere, 'migrate.json') });
    } finally {
      await source.close();
      await target.close();
    }
    expect(await verifyCommand({ store: `sqlite:${join(elsewhere, 'events.sqlite')}`, progress: false, json: false }, (line) => lines.push(line))).toBe(0);
    for (const { name, bytes } of dataFiles(elsewhere)) {
      for (const secret of SECRETS) expect([name, found(bytes, secret)]).toEqual([name, false]);
    }
  });
});
