/**
 * The few libsodium calls the personal-data cipher makes (sodium-native ships no types of its own;
 * @types/sodium-native describes its 2.x API). Signatures as documented for sodium-native 5.
 */
declare module 'sodium-native' {
  export const crypto_aead_xchacha20poly1305_ietf_ABYTES: number;
  export const crypto_aead_xchacha20poly1305_ietf_NPUBBYTES: number;
  export const crypto_aead_xchacha20poly1305_ietf_KEYBYTES: number;
  /** Writes ciphertext and tag into `ciphertext` (message length + ABYTES); returns the bytes written. */
  export function crypto_aead_xchacha20poly1305_ietf_encrypt(
    ciphertext: Buffer, message: Buffer, additionalData: Buffer | null, secretNonce: null, nonce: Buffer, key: Buffer,
  ): number;
  /** Writes the message into `message` (ciphertext length - ABYTES); throws when the tag does not match. */
  export function crypto_aead_xchacha20poly1305_ietf_decrypt(
    message: Buffer, secretNonce: null, ciphertext: Buffer, additionalData: Buffer | null, nonce: Buffer, key: Buffer,
  ): number;
  /** BLAKE2b of `input` into `output` (16–64 bytes), keyed when `key` is given. */
  export function crypto_generichash(output: Buffer, input: Buffer, key?: Buffer): void;
}
