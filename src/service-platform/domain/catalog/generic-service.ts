import type { ServiceDefinition } from './service-definition';

/**
 * The definition of a service the catalog does not know, when unknown services are allowed:
 * `client_id` (public) and `client_secret` required, every other field a secret.
 */
export function genericServiceDefinition(name: string): ServiceDefinition {
  return {
    name,
    displayName: name,
    description:
      'Not in the catalog: client_id and client_secret are required, and every other field is a secret.',
    docs: [],
    config: {
      client_id: { schema: { type: 'string', title: 'Client ID' }, public: true },
      client_secret: { schema: { type: 'string', title: 'Client secret' } },
    },
  };
}
