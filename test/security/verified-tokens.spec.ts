import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { DEMO_DIRECTORY_FILE, Directory } from '@civicloop/directory';
import { loadConfig } from '@civicloop/platform';
import { TokenClaims } from '../../apps/api/src/auth/actor';
import { JwtAuthGuard } from '../../apps/api/src/auth/jwt-auth.guard';
import { ResidentIdentityProvider } from '../../apps/api/src/auth/resident-identity-provider';
import { VerifiedTokens } from '../../apps/api/src/auth/verified-tokens';
import { demoUser } from '../../apps/api/src/cli/token';

const claims = (sub: string): TokenClaims => ({ sub, role: 'operator', org: 'district-qinhuai' });

/** A token's signature is checked once; its expiry and the directory still count on every request. */
describe('verified staff tokens', () => {
  it('finds only the very token that was verified, and only until its exp', () => {
    let now = 1_000;
    const tokens = new VerifiedTokens(10, () => now);
    tokens.remember('a.b.c', { ...claims('u1'), exp: 1_010 });
    expect(tokens.claimsOf('a.b.c')).toEqual(expect.objectContaining({ sub: 'u1' }));
    expect(tokens.claimsOf('a.b.X')).toBeUndefined(); // another signature is another token
    now = 1_009;
    expect(tokens.claimsOf('a.b.c')).toBeDefined();
    now = 1_010; // the verifier's own rule: expired once now >= exp
    expect(tokens.claimsOf('a.b.c')).toBeUndefined();
    now = 1_000;
    expect(tokens.claimsOf('a.b.c')).toBeUndefined(); // forgotten, not merely hidden
  });

  it('holds at most its limit, the oldest going first', () => {
    const tokens = new VerifiedTokens(2, () => 0);
    for (const t of ['t1', 't2', 't3']) tokens.remember(t, { ...claims(t), exp: 60 });
    expect(['t1', 't2', 't3'].map((t) => tokens.claimsOf(t)?.sub)).toEqual([undefined, 't2', 't3']);
  });

  it('the guard refuses a token it accepted before once it has expired, and a tampered copy of it at once', async () => {
    const secret = 'x'.repeat(64);
    const directory = Directory.fromFile(DEMO_DIRECTORY_FILE);
    const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: secret, DATA_DIR: '/tmp/unused' });
    const jwt = new JwtService({ secret });
    const guard = new JwtAuthGuard(jwt, new Reflector(), directory, config, new ResidentIdentityProvider(config));
    const user = demoUser(directory, 'operator');
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = jwt.sign({ sub: user.id, role: user.role, org: user.unitId, exp }, { algorithm: 'HS256' });
    const ask = (authorization: string) => {
      const request: { headers: Record<string, string>; actor?: unknown } = { headers: { authorization } };
      const context = {
        getHandler: () => ask, getClass: () => JwtAuthGuard, switchToHttp: () => ({ getRequest: () => request }),
      } as unknown as ExecutionContext;
      return guard.canActivate(context).then(() => request.actor);
    };
    expect(await ask(`Bearer ${token}`)).toEqual({ id: user.id, role: user.role, unitId: user.unitId });
    expect(await ask(`Bearer ${token}`)).toEqual({ id: user.id, role: user.role, unitId: user.unitId });
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(ask(`Bearer ${tampered}`)).rejects.toMatchObject({ message: 'the token is not valid' });
    const waitMs = exp * 1000 - Date.now() + 50;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    await expect(ask(`Bearer ${token}`)).rejects.toMatchObject({ message: 'the token has expired' });
  });
});
