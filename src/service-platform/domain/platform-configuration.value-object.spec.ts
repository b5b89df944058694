import { secretsOf } from '../../../test/support/catalog';
import { PlatformConfiguration } from './platform-configuration.value-object';
import { InvalidPlatformConfigError } from './platform.errors';
import { MASKED_SECRET } from './secret-fields';

const valid = {
  client_id: 'client-1',
  client_secret: 'very-secret',
  tenant_id: 'contoso.onmicrosoft.com',
  additional_data: { redirect_uri: 'https://x/cb', refresh_token: 'rt', nested: { api_key: 'k' } },
};

function violationsOf(input: unknown): string[] {
  try {
    PlatformConfiguration.create(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidPlatformConfigError);
    return (error as InvalidPlatformConfigError).details.map((d) => d.field);
  }
  throw new Error('expected InvalidPlatformConfigError');
}

describe('PlatformConfiguration', () => {
  it('accepts a complete configuration and keeps it exactly', () => {
    expect(PlatformConfiguration.create(valid).toPlain()).toEqual(valid);
  });

  it.each([
    [{ ...valid, client_id: undefined }, 'config.client_id'],
    [{ ...valid, client_id: '' }, 'config.client_id'],
    [{ ...valid, client_id: '   ' }, 'config.client_id'],
    [{ ...valid, client_id: 42 }, 'config.client_id'],
    [{ ...valid, client_secret: undefined }, 'config.client_secret'],
    [{ ...valid, client_secret: '' }, 'config.client_secret'],
    [{ ...valid, client_secret: 'x'.repeat(8193) }, 'config.client_secret'],
    [{ ...valid, tenant_id: '' }, 'config.tenant_id'],
    [{ ...valid, additional_data: [] }, 'config.additional_data'],
    [{ ...valid, additional_data: 'text' }, 'config.additional_data'],
    [{ ...valid, additional_data: { n: Number.POSITIVE_INFINITY } }, 'config.additional_data'],
    [{ ...valid, surprise: true }, 'config.surprise'],
    [{ ...valid, client_secret: '********' }, 'config.client_secret'],
    [{ ...valid, additional_data: { refresh_token: '********' } }, 'config.additional_data'],
    [
      { ...valid, additional_data: JSON.parse('{"__proto__":{"x":1}}') as object },
      'config.additional_data',
    ],
    [{ ...valid, additional_data: { deep: { constructor: 'x' } } }, 'config.additional_data'],
  ])('rejects %j naming %s', (input, field) => {
    expect(violationsOf(input)).toContain(field);
  });

  it('rejects a non-object and reports every missing credential at once', () => {
    expect(violationsOf(null)).toEqual(['config']);
    expect(violationsOf({})).toEqual(['config.client_id', 'config.client_secret']);
  });

  it('rejects additional data nested too deeply', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 10; i++) deep = { inner: deep };
    expect(violationsOf({ ...valid, additional_data: deep })).toEqual(['config.additional_data']);
  });

  describe('merge', () => {
    const base = PlatformConfiguration.create(valid);

    it('keeps fields left out (a client id changes without re-sending the secret)', () => {
      const merged = base.merge({ client_id: 'client-2' }).toPlain();
      expect(merged).toEqual({ ...valid, client_id: 'client-2' });
    });

    it('merges additional_data keys and removes a key given null', () => {
      const merged = base.merge({ additional_data: { refresh_token: null, scope: 'mail' } });
      expect(merged.toPlain().additional_data).toEqual({
        redirect_uri: 'https://x/cb',
        nested: { api_key: 'k' },
        scope: 'mail',
      });
    });

    it('removes the provider tenant and the whole additional_data given null', () => {
      const merged = base.merge({ tenant_id: null, additional_data: null }).toPlain();
      expect(merged).toEqual({ client_id: 'client-1', client_secret: 'very-secret' });
    });

    it('refuses the mask echoed back instead of overwriting the stored secret', () => {
      expect(() => base.merge({ client_secret: '********' })).toThrow(/not the mask/);
      expect(() => base.merge({ additional_data: { refresh_token: '********' } })).toThrow(
        /not the mask/,
      );
    });

    it('validates the merged result (a required credential cannot be removed)', () => {
      expect(() => base.merge({ client_secret: null })).toThrow(InvalidPlatformConfigError);
      expect(() => base.merge({ client_secret: '' })).toThrow(InvalidPlatformConfigError);
    });

    it('knows when nothing changed, whatever the key order', () => {
      const reordered = PlatformConfiguration.create({
        additional_data: {
          nested: { api_key: 'k' },
          refresh_token: 'rt',
          redirect_uri: 'https://x/cb',
        },
        tenant_id: 'contoso.onmicrosoft.com',
        client_secret: 'very-secret',
        client_id: 'client-1',
      });
      expect(reordered.equals(base)).toBe(true);
      expect(base.merge({ client_secret: 'other' }).equals(base)).toBe(false);
    });
  });

  describe('masking', () => {
    const config = PlatformConfiguration.create(valid);

    it('shows what its service declares public and masks everything else', () => {
      // Outlook: client_id, tenant_id and redirect_uri are public; refresh_token and the
      // undeclared `nested` are not.
      expect(config.toMasked(secretsOf('outlook'))).toEqual({
        client_id: 'client-1',
        client_secret: MASKED_SECRET,
        tenant_id: 'contoso.onmicrosoft.com',
        additional_data: {
          redirect_uri: 'https://x/cb',
          refresh_token: MASKED_SECRET,
          nested: MASKED_SECRET,
        },
      });
    });

    it('a service the catalog does not know shows only its client_id', () => {
      expect(config.toMasked(secretsOf('not-in-the-catalog'))).toEqual({
        client_id: 'client-1',
        client_secret: MASKED_SECRET,
        tenant_id: MASKED_SECRET,
        additional_data: {
          redirect_uri: MASKED_SECRET,
          refresh_token: MASKED_SECRET,
          nested: MASKED_SECRET,
        },
      });
    });

    it('never serialises a secret through JSON.stringify or String()', () => {
      const text = `${JSON.stringify({ config })} ${String(config)}`;
      expect(text).not.toContain('very-secret');
      expect(text).not.toContain('"rt"');
    });
  });
});
