import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode } from '@shoshizan/shared-interfaces';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { ApiKeysRepository } from './api-keys.repository';

export interface ApiKey {
  readonly id: string;
  readonly name: string;
  /** The start of the key, to tell keys apart in a list. */
  readonly prefix: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
}

/** Every key starts with this, so CredentialsGuard knows a key from a JWT at a glance. */
export const API_KEY_PREFIX = 'shz_';

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * API keys for programs: created by their owner and shown once, stored as a SHA-256 (a key
 * is 256 random bits, so a fast hash is enough; passwords get scrypt), listed without the
 * secret, revoked by their owner. A key acts as its owner, with the roles it was made with.
 */
@Injectable()
export class ApiKeysService {
  constructor(private readonly repository: ApiKeysRepository) {}

  async create(owner: AuthenticatedUser, name: string): Promise<ApiKey & { key: string }> {
    const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const id = randomUUID();
    const prefix = key.slice(0, API_KEY_PREFIX.length + 6);
    const createdAt = await this.repository.create({
      keyId: id,
      userId: owner.userId,
      roles: owner.roles,
      name,
      prefix,
      keyHash: sha256(key),
    });
    return { id, name, prefix, key, createdAt: createdAt.toISOString(), lastUsedAt: null };
  }

  async list(owner: AuthenticatedUser): Promise<ApiKey[]> {
    const keys = await this.repository.listLive(owner.userId);
    return keys.map((k) => ({
      id: k.keyId,
      name: k.name,
      prefix: k.prefix,
      createdAt: k.createdAt.toISOString(),
      lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    }));
  }

  /** Revokes one of the owner's keys; another user's key is "not found". */
  async revoke(owner: AuthenticatedUser, id: string): Promise<void> {
    if (!(await this.repository.revoke(id, owner.userId))) throw new DomainException(ErrorCode.NotFound, `No API key ${id}.`);
  }

  /** The owner a key acts as, or undefined for an unknown or revoked key. */
  authenticate(key: string): Promise<AuthenticatedUser | undefined> {
    return this.repository.markUsed(sha256(key));
  }
}
