// A fresh CSP nonce per render: 128 bits from the platform CSPRNG.
import { randomBytes } from 'node:crypto';

export function newNonce(): string {
  return randomBytes(16).toString('base64');
}
