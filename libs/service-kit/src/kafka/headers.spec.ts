import { headerInt, headerText } from './headers';

describe('message headers', () => {
  const headers = { a: Buffer.from('x'), many: [Buffer.from('1'), Buffer.from('2')], n: '42', junk: 'abc' };

  it('reads text, the first of a repeated header, and null when absent', () => {
    expect(headerText(headers, 'a')).toBe('x');
    expect(headerText(headers, 'many')).toBe('1');
    expect(headerText(headers, 'missing')).toBeNull();
    expect(headerText(undefined, 'a')).toBeNull();
  });

  it('reads a whole number, and null for what is not one', () => {
    expect(headerInt(headers, 'n')).toBe(42);
    expect(headerInt(headers, 'junk')).toBeNull();
    expect(headerInt(headers, 'missing')).toBeNull();
  });
});
