import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditCheckpoint } from '../../store/index.js';

/** What a checkpoint's signature covers. */
function signedText(c: Pick<AuditCheckpoint, 'seq' | 'hash' | 'at'>): Buffer {
  return Buffer.from(`citybrain-audit-checkpoint\n${c.seq}\n${c.hash}\n${c.at}`, 'utf8');
}

/** A key's id: the first 16 hex digits of the SHA-256 of its public key (DER). */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

/** The Ed25519 key that signs a node's checkpoints. */
export class AuditSigningKey {
  readonly keyId: string;
  readonly publicKey: KeyObject;

  private constructor(private readonly privateKey: KeyObject) {
    this.publicKey = createPublicKey(privateKey);
    this.keyId = keyIdOf(this.publicKey);
  }

  /**
   * The key in `file` (PKCS#8 PEM), created there (mode 0600) when missing. Nodes sharing a
   * store may share one key file, or each sign with its own: verification takes a list.
   */
  static loadOrCreate(file: string): AuditSigningKey {
    if (!existsSync(file)) {
      const { privateKey } = generateKeyPairSync('ed25519');
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
        mode: 0o600,
        flag: 'wx',
      });
    }
    const key = createPrivateKey(readFileSync(file));
    if (key.asymmetricKeyType !== 'ed25519')
      throw new Error(`${file} is not an Ed25519 private key`);
    return new AuditSigningKey(key);
  }

  /** The public key in SPKI PEM, for `audit.trustedKeys` and for owners to keep. */
  publicPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  sign(c: Pick<AuditCheckpoint, 'seq' | 'hash' | 'at'>): AuditCheckpoint {
    const signature = sign(null, signedText(c), this.privateKey).toString('base64');
    return { seq: c.seq, hash: c.hash, at: c.at, keyId: this.keyId, signature };
  }
}

/** True when `key` signed this checkpoint. */
export function checkpointSignedBy(c: AuditCheckpoint, key: KeyObject): boolean {
  try {
    return verify(null, signedText(c), key, Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}

/** Reads SPKI PEM public keys (one per file or several in one), keyed by their id. */
export function trustedKeys(pems: readonly string[]): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const pem of pems) {
    for (const block of pem.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ??
      []) {
      const key = createPublicKey(block);
      keys.set(keyIdOf(key), key);
    }
  }
  return keys;
}
