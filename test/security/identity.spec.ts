import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { JwtService } from '@nestjs/jwt';
import { Role, UnitKind } from '@civicloop/domain';
import { DEMO_DIRECTORY_FILE, Directory, DirectoryData } from '@civicloop/directory';
import { ApiHarness, startApi } from '../support/api-harness';

const run = promisify(execFile);
const TOKEN_CLI = join(__dirname, '..', '..', 'dist', 'apps', 'api', 'src', 'cli', 'token.js');

/** Which units each role works for; the demo directory must have a user for every pair. */
const UNITS_OF_ROLE: Record<Role, UnitKind[]> = {
  resident: ['compound'],
  handler: ['company', 'grid', 'community', 'street', 'department'],
  supervisor: ['street', 'district'],
  operator: ['district'],
  auditor: ['district'],
  admin: ['district'],
};

const demoData = (): DirectoryData => JSON.parse(readFileSync(DEMO_DIRECTORY_FILE, 'utf8')) as DirectoryData;
const sign = (secret: string, claims: object, expiresIn = '1h') =>
  new JwtService({ secret }).sign(claims, { algorithm: 'HS256', expiresIn: expiresIn as unknown as number });

const intake = {
  channel: 'online', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint',
  description: '楼道灯坏了', location: { compoundId: 'compound-01', building: '3' }, reporter: { name: '孙女士', phone: '13900139000' },
};

describe('staff tokens name users of the directory', () => {
  let api: ApiHarness;
  const directory = Directory.fromFile(DEMO_DIRECTORY_FILE);

  beforeAll(async () => { api = await startApi(); });
  afterAll(async () => { await api.close(); });

  it('the demo directory is marked demo and has a user for every role × unit the role applies to, the old ids kept', () => {
    expect(directory.data.demo).toBe(true);
    const missing: string[] = [];
    for (const [role, kinds] of Object.entries(UNITS_OF_ROLE)) {
      for (const unit of directory.allUnits().filter((u) => kinds.includes(u.kind))) {
        if (!directory.allUsers().some((u) => u.role === role && u.unitId === unit.id)) missing.push(`${role} × ${unit.id}`);
      }
    }
    expect(missing).toEqual([]);
    for (const id of ['user-resident-1', 'user-resident-2', 'user-operator-1', 'user-auditor-1', 'user-admin-1', 'user-supervisor-district', 'user-handler-company-jinling', 'user-handler-grid-111']) {
      expect(directory.user(id)).toBeDefined();
    }
  });

  it('accepts a token for every user of the directory', async () => {
    const refused: string[] = [];
    for (const user of directory.allUsers()) {
      const token = sign(api.config.JWT_SECRET, { sub: user.id, role: user.role, org: user.unitId });
      const { status } = await api.request('GET', '/directory', { token });
      if (status !== 200) refused.push(`${user.id}: ${status}`);
    }
    expect(refused).toEqual([]);
  });

  it.each([
    ['a user the directory does not have', { sub: 'user-nobody', role: 'operator', org: 'district-qinhuai' }],
    ['a real user claiming another role', { sub: 'user-handler-grid-111', role: 'operator', org: 'grid-111' }],
    ['a real user claiming another unit', { sub: 'user-handler-grid-111', role: 'handler', org: 'district-qinhuai' }],
    ['a resident claiming a unit that is not theirs', { sub: 'user-resident-1', role: 'resident', org: 'compound-05' }],
    ['no user at all', { role: 'operator', org: 'district-qinhuai' }],
  ])('refuses %s with a 401', async (_name, claims) => {
    const { status, body } = await api.request('GET', '/views/board', { token: sign(api.config.JWT_SECRET, claims) });
    expect(status).toBe(401);
    expect(body.code).toBe('UNAUTHENTICATED');
  });

  it('npm run token signs only for users of the directory and prints only the token', async () => {
    const env = { ...process.env, DATA_DIR: api.dataDir, JWT_SECRET: api.config.JWT_SECRET, NODE_ENV: '' };
    const { stdout } = await run(process.execPath, [TOKEN_CLI, '--role', 'handler', '--org', 'grid-111'], { env });
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect((await api.request('GET', '/views/board', { token: stdout.trim() })).status).toBe(200);
    const refused = await run(process.execPath, [TOKEN_CLI, '--role', 'handler', '--org', 'compound-01'], { env }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect((refused as { stderr: string }).stderr).toMatch(/role handler in unit compound-01/);
  });
});

describe('production: residents from their identity provider (JWKS), staff from the deployment\'s directory', () => {
  let api: ApiHarness;
  let jwks: Server;
  const dir = mkdtempSync(join(tmpdir(), 'civicloop-identity-'));
  const keys: { rsa?: Awaited<ReturnType<typeof generateKeyPair>>; ec?: Awaited<ReturnType<typeof generateKeyPair>> } = {};

  beforeAll(async () => {
    keys.rsa = await generateKeyPair('RS256');
    keys.ec = await generateKeyPair('ES256');
    const published = { keys: [{ ...(await exportJWK(keys.rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' }, { ...(await exportJWK(keys.ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' }] };
    jwks = createServer((_req, res) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(published)); });
    jwks.listen(0, '127.0.0.1');
    await once(jwks, 'listening');
    // the deployment's directory: one handler removed, one handler added who works for no unit
    const data = demoData();
    data.demo = false;
    data.users = data.users.filter((u) => u.id !== 'user-handler-grid-112');
    data.users.push({ id: 'user-handler-nowhere', name: '无单位经办人', role: 'handler', unitId: null });
    writeFileSync(join(dir, 'directory.json'), JSON.stringify(data));
    api = await startApi({
      NODE_ENV: 'production',
      DIRECTORY_FILE: join(dir, 'directory.json'),
      JWT_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`,
    });
  });

  afterAll(async () => {
    await api.close();
    jwks.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const residentToken = (alg: 'RS256' | 'ES256', sub: string, key = alg === 'RS256' ? keys.rsa!.privateKey : keys.ec!.privateKey) =>
    new SignJWT({}).setProtectedHeader({ alg, kid: alg === 'RS256' ? 'rsa-1' : 'ec-1' }).setSubject(sub).setIssuedAt().setExpirationTime('10m').sign(key);

  it('a resident signed in with RS256 reports a case and reads it; with ES256 too; the actor is the resident id only', async () => {
    const rs = await residentToken('RS256', 'wx-openid-123');
    const created = await api.request('POST', '/cases', { token: rs, body: intake });
    expect(created.status).toBe(201);
    expect((await api.request('GET', `/cases/${created.body.id}`, { token: rs })).status).toBe(200);
    const events = await api.request('GET', `/cases/${created.body.id}/events`, { token: sign(api.config.JWT_SECRET, { sub: 'user-operator-1', role: 'operator', org: 'district-qinhuai' }) });
    expect(events.body[0]).toMatchObject({ type: 'CaseReceived', data: { residentId: 'resident:wx-openid-123' } });
    // another resident may not read it
    expect((await api.request('GET', `/cases/${created.body.id}`, { token: await residentToken('ES256', 'wx-openid-456') })).status).toBe(403);
  });

  it('refuses a resident token signed by a key the provider does not publish, or expired', async () => {
    const stranger = await generateKeyPair('RS256');
    expect((await api.request('GET', '/directory', { token: await residentToken('RS256', 'x', stranger.privateKey) })).status).toBe(401);
    const expired = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'ec-1' }).setSubject('x').setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(keys.ec!.privateKey);
    expect((await api.request('GET', '/directory', { token: expired })).body).toMatchObject({ code: 'UNAUTHENTICATED', message: 'the token has expired' });
  });

  it('refuses HS256 resident tokens and users removed from the directory; answers 403 NO_JURISDICTION to a user of no unit', async () => {
    const staff = (sub: string, role: string, org: string | null) => sign(api.config.JWT_SECRET, { sub, role, org });
    expect((await api.request('GET', '/directory', { token: staff('user-resident-1', 'resident', 'compound-01') })).status).toBe(401);
    expect((await api.request('GET', '/views/board', { token: staff('user-handler-grid-112', 'handler', 'grid-112') })).status).toBe(401);
    expect((await api.request('GET', '/views/board', { token: staff('user-handler-grid-111', 'handler', 'grid-111') })).status).toBe(200);
    const nowhere = staff('user-handler-nowhere', 'handler', null);
    for (const path of ['/views/board', '/views/satisfaction?groupBy=street', '/views/three-rates?groupBy=handler&month=2026-03', '/views/response-times?groupBy=street', '/views/escalations?groupBy=street']) {
      const { status, body } = await api.request('GET', path, { token: nowhere });
      expect([path, status, body.code]).toEqual([path, 403, 'NO_JURISDICTION']);
    }
  });
});
