import {
  httpClientSpan,
  httpResponseAttributes,
  httpServerAttributes,
  httpServerSpanName,
  messagingAttributes,
  messagingSpanName,
  modelCallAttributes,
  modelCallSpanName,
} from './span-attributes';

describe('span names and attributes', () => {
  it('names an HTTP server span by its route template, not the concrete path', () => {
    expect(httpServerSpanName('POST', '/v1/chat')).toBe('POST /v1/chat');
    expect(httpServerSpanName('GET', undefined)).toBe('GET');
    expect(httpServerAttributes({ method: 'GET', path: '/v1/chat/abc/events', route: '/v1/chat/:id/events' })).toEqual({
      'http.request.method': 'GET',
      'url.path': '/v1/chat/abc/events',
      'http.route': '/v1/chat/:id/events',
    });
  });

  it('fails a server span on 5xx only: a 4xx is the caller’s mistake', () => {
    expect(httpResponseAttributes(200)).toEqual({ attributes: { 'http.response.status_code': 200 }, failed: false });
    expect(httpResponseAttributes(429).failed).toBe(false);
    expect(httpResponseAttributes(503)).toEqual({
      attributes: { 'http.response.status_code': 503, 'error.type': '503' },
      failed: true,
    });
  });

  it('describes an HTTP client call by server address and port, without the query', () => {
    expect(httpClientSpan('POST', new URL('http://127.0.0.1:3001/v1/generate?x=1'))).toEqual({
      name: 'POST',
      attributes: {
        'http.request.method': 'POST',
        'server.address': '127.0.0.1',
        'server.port': 3001,
        'url.full': 'http://127.0.0.1:3001/v1/generate',
      },
    });
    expect(httpClientSpan('GET', new URL('https://gpt-api/')).attributes['server.port']).toBe(443);
  });

  it('maps a Kafka record to the messaging conventions, request id as the message id', () => {
    expect(messagingSpanName('process', 'shoshizan.requests')).toBe('process shoshizan.requests');
    expect(
      messagingAttributes('process', { topic: 'shoshizan.requests', partition: 3, offset: '42', key: 'conv-1', requestId: 'req-1' }),
    ).toEqual({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': 'shoshizan.requests',
      'messaging.destination.partition.id': '3',
      'messaging.kafka.offset': 42,
      'messaging.kafka.message.key': 'conv-1',
      'messaging.message.id': 'req-1',
      'shoshizan.request.id': 'req-1',
    });
    expect(messagingAttributes('send', { topic: 't', offset: '-1' })).toEqual({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': 't',
    });
  });

  it('maps a model call to the gen_ai conventions, usage once it is known', () => {
    expect(modelCallSpanName('smollm2:135m')).toBe('chat smollm2:135m');
    const asked = { model: 'smollm2:135m', serverAddress: '127.0.0.1', serverPort: 11434 };
    expect(modelCallAttributes(asked)).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'ollama',
      'gen_ai.request.model': 'smollm2:135m',
      'server.address': '127.0.0.1',
      'server.port': 11434,
    });
    expect(
      modelCallAttributes({ ...asked, responseModel: 'smollm2:135m', inputTokens: 12, outputTokens: 30, finishReason: 'length' }),
    ).toMatchObject({
      'gen_ai.response.model': 'smollm2:135m',
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 30,
      'gen_ai.response.finish_reasons': ['length'],
    });
  });
});
