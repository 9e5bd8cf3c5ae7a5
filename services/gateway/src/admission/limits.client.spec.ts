import type { GatewayConfig } from '../config/gateway.config';
import { LimitsClient } from './limits.client';

const limits = { userId: 'u1', requestsPerMinute: null, tokensPerDay: 100, tokensUsedToday: 7 };

describe('LimitsClient', () => {
  const fetchMock = jest.spyOn(globalThis, 'fetch');
  afterEach(() => fetchMock.mockReset());
  afterAll(() => fetchMock.mockRestore());
  const client = () => new LimitsClient({ GPT_API_URL: 'http://gpt-api:3003' } as GatewayConfig);

  it('shares one call between concurrent admissions of a user and reuses it for a second', async () => {
    fetchMock.mockImplementation(() => Promise.resolve(new Response(JSON.stringify(limits))));
    const limitsClient = client();
    const answers = await Promise.all([1, 2, 3].map(() => limitsClient.limitsOf('u1', ['user'], 1_000)));
    expect(answers).toEqual([limits, limits, limits]);
    await limitsClient.limitsOf('u1', ['user'], 1_999);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    await limitsClient.limitsOf('u1', ['user'], 2_000); // a second later: asked again
    await limitsClient.limitsOf('u2', ['user'], 2_000); // another user: asked
    await limitsClient.limitsOf('u1', ['admin'], 2_000); // other roles, other limits: asked
    expect(fetchMock).toHaveBeenCalledTimes(4);
  });

  it('does not keep a failure: the next admission asks again', async () => {
    fetchMock.mockResolvedValueOnce(new Response('down', { status: 503 }));
    fetchMock.mockImplementation(() => Promise.resolve(new Response(JSON.stringify(limits))));
    const limitsClient = client();
    await expect(limitsClient.limitsOf('u1', [], 1_000)).rejects.toThrow(/answered 503/);
    await expect(limitsClient.limitsOf('u1', [], 1_001)).resolves.toEqual(limits);
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });
});
