import { isSecretValue } from './secret-fields';

describe('isSecretValue', () => {
  it.each([
    '-----BEGIN RSA PRIVATE KEY-----\nMIIE...',
    'Server=db;Database=x;User Id=u;Password=p4ss;',
    'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc==;',
    'https://acct.blob.core.windows.net/c?sv=2020&sig=abc%3D',
    'postgres://user:hunter2@db.example.com/app',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig',
  ])('recognises a credential whatever field holds it: %j', (value) => {
    expect(isSecretValue(value)).toBe(true);
  });

  it.each([
    'https://app.example.com/oauth/callback',
    'Mail.Read',
    'eu-west-1',
    'contoso.onmicrosoft.com',
    '6731de76-14a6-49ae-97bc-6eba6914391e',
  ])('keeps ordinary settings: %j', (value) => {
    expect(isSecretValue(value)).toBe(false);
  });

  it('only strings', () => {
    expect(isSecretValue(42)).toBe(false);
    expect(isSecretValue({ password: 'x' })).toBe(false);
  });
});
