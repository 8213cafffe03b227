import { Injectable } from '@nestjs/common';
import { createRemoteJWKSet, errors, JWTPayload, jwtVerify } from 'jose';
import { AppConfig } from '@civicloop/platform';

/** Algorithms of the residents' identity provider: public-key only, so this service can verify but never mint. */
export const IDP_ALGORITHMS = ['RS256', 'ES256'];

export class IdentityRefused extends Error {}

/**
 * Residents sign in with the city's identity provider (the city's single sign-on or a mini-program
 * login), not with the org directory: their tokens are RS256/ES256, verified against the
 * provider's JWKS (JWT_JWKS_URL, fetched and cached by jose, refetched when a new key id appears),
 * and carry only the resident's id.
 */
@Injectable()
export class ResidentIdentityProvider {
  private readonly keys?: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly config: AppConfig) {
    if (config.JWT_JWKS_URL) this.keys = createRemoteJWKSet(new URL(config.JWT_JWKS_URL));
  }

  get configured(): boolean {
    return this.keys !== undefined;
  }

  /** The resident's id (the token's `sub`), or IdentityRefused saying why not. */
  async residentId(token: string): Promise<string> {
    if (!this.keys) throw new IdentityRefused('no residents\' identity provider is configured (JWT_JWKS_URL)');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        algorithms: IDP_ALGORITHMS,
        requiredClaims: ['exp', 'sub'],
        ...(this.config.JWT_JWKS_ISSUER ? { issuer: this.config.JWT_JWKS_ISSUER } : {}),
        ...(this.config.JWT_JWKS_AUDIENCE ? { audience: this.config.JWT_JWKS_AUDIENCE } : {}),
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new IdentityRefused('the token has expired');
      if (error instanceof errors.JOSEError) throw new IdentityRefused('the token is not valid');
      throw error;
    }
    if (!payload.sub || payload.sub.length > 200) throw new IdentityRefused('the token names no resident');
    // Own namespace: an id the provider hands out can never be mistaken for a directory user's.
    return `resident:${payload.sub}`;
  }
}
