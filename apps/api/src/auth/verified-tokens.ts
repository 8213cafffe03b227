import { TokenClaims } from './actor';

/**
 * Staff tokens whose signature was already checked, by the token's full text. A client sends the
 * same token with every request, and verifying it (base64, JSON, HMAC, claim checks) was ~5% of a
 * command's time. The key is the whole token, signature included, so only the very bytes that were
 * verified are found here; an entry counts only until the token's `exp` (the same `now >= exp` test
 * the verifier makes), after which the token goes through the verifier again and is refused as
 * expired. Only the signature check is saved: the guard compares the claims with the directory on
 * every request. Bounded, oldest entries first.
 */
export class VerifiedTokens {
  private readonly tokens = new Map<string, { claims: TokenClaims; exp: number }>();

  constructor(private readonly limit = 10_000, private readonly nowSeconds = () => Math.floor(Date.now() / 1000)) {}

  claimsOf(token: string): TokenClaims | undefined {
    const entry = this.tokens.get(token);
    if (!entry) return undefined;
    if (this.nowSeconds() >= entry.exp) {
      this.tokens.delete(token);
      return undefined;
    }
    return entry.claims;
  }

  remember(token: string, claims: TokenClaims & { exp: number }): void {
    this.tokens.delete(token);
    this.tokens.set(token, { claims, exp: claims.exp });
    if (this.tokens.size > this.limit) this.tokens.delete(this.tokens.keys().next().value ?? '');
  }
}
