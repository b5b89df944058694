import { MASKED_SECRET, maskSecretsIn } from './secret-fields';

describe('maskSecretsIn', () => {
  it.each([
    'refresh_token',
    'api_key',
    'account_key',
    'access_key',
    'hmac_key',
    'encryption_key',
    'shared_access_key',
    'connection_string',
    'ssh_key',
    'jwk',
    'refresh',
    'client_key',
    'pem',
    'password',
    'db_pwd',
    'session_id',
    'webhook_signature',
    'totp_seed',
    'Authorization',
  ])('masks the value under %j, whatever it is', (key) => {
    expect(maskSecretsIn({ [key]: { k: 'material', nested: ['x'] } })).toEqual({
      [key]: MASKED_SECRET,
    });
  });

  it.each([
    '-----BEGIN RSA PRIVATE KEY-----\nMIIE...',
    'Server=db;Database=x;User Id=u;Password=p4ss;',
    'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc==;',
    'https://acct.blob.core.windows.net/c?sv=2020&sig=abc%3D',
    'postgres://user:hunter2@db.example.com/app',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig',
  ])('masks a credential-looking value under an innocent key: %j', (value) => {
    expect(maskSecretsIn({ endpoint: value, list: [value] })).toEqual({
      endpoint: MASKED_SECRET,
      list: [MASKED_SECRET],
    });
  });

  it('keeps ordinary settings visible', () => {
    const settings = {
      redirect_uri: 'https://app.example.com/oauth/callback',
      scopes: ['Mail.Read', 'offline_access'],
      region: 'eu',
      webhook: { url: 'https://hooks.example.com/x', retries: 3 },
    };
    expect(maskSecretsIn(settings)).toEqual(settings);
  });
});
