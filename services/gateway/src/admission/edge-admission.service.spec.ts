import type { PinoLogger } from 'nestjs-pino';
import { Registry } from 'prom-client';
import { ErrorCode, type UserLimits } from '@shoshizan/shared-interfaces';
import type { ChatRequestsRepository } from '../chat/chat-requests.repository';
import { EdgeAdmissionService } from './edge-admission.service';
import type { LimitsClient } from './limits.client';

const user = { userId: 'u1', roles: ['user'] };
const limits = (change: Partial<UserLimits> = {}): UserLimits => ({
  userId: 'u1',
  tokensPerDay: 100,
  requestsPerMinute: 5,
  tokensUsedToday: 7,
  ...change,
});

function admission(answer: () => Promise<UserLimits>) {
  const insertWithinRate = jest.fn().mockResolvedValue({});
  const service = new EdgeAdmissionService(
    { limitsOf: answer } as unknown as LimitsClient,
    { insertWithinRate } as unknown as ChatRequestsRepository,
    new Registry(),
    { setContext: () => undefined, warn: () => undefined } as unknown as PinoLogger,
  );
  return { service, insertWithinRate };
}

describe('EdgeAdmissionService', () => {
  it('refuses a user whose daily quota is used up, with Retry-After, before recording anything', async () => {
    const { service, insertWithinRate } = admission(() => Promise.resolve(limits({ tokensUsedToday: 100 })));
    await expect(service.checkQuota(user)).rejects.toMatchObject({ code: ErrorCode.QuotaExceeded, options: { retryAfterSeconds: expect.any(Number) } });
    await expect(service.admit(user, { requestId: 'r', conversationId: 'c' })).rejects.toMatchObject({ code: ErrorCode.QuotaExceeded });
    expect(insertWithinRate).not.toHaveBeenCalled();
  });

  it('lets a request through when gpt-api cannot be asked (gpt-api checks again), with no rate to hold', async () => {
    const { service, insertWithinRate } = admission(() => Promise.reject(new Error('down')));
    await expect(service.checkQuota(user)).resolves.toBeUndefined();
    await service.admit(user, { requestId: 'r', conversationId: 'c' });
    expect(insertWithinRate).toHaveBeenCalledWith({ requestId: 'r', conversationId: 'c', userId: 'u1' }, null);
  });

  it("records a chat request within the user's rate", async () => {
    const { service, insertWithinRate } = admission(() => Promise.resolve(limits()));
    await service.admit(user, { requestId: 'r', conversationId: 'c' });
    expect(insertWithinRate).toHaveBeenCalledWith({ requestId: 'r', conversationId: 'c', userId: 'u1' }, 5);
  });
});
