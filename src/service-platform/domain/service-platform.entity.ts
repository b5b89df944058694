import type { SecretPolicy } from './catalog/secret-policy';
import type {
  JsonObject,
  PlatformConfiguration,
  PlatformConfigurationPatch,
} from './platform-configuration.value-object';

export interface ServicePlatformProps {
  readonly id: string;
  readonly tenantId: string;
  readonly serviceName: string;
  readonly config: PlatformConfiguration;
  readonly isActive: boolean;
  /** Starts at 1 and grows by one with every change; the optimistic-concurrency token. */
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Which fields of its configuration its service shows (the service catalog's rules). */
  readonly secrets: SecretPolicy;
}

/** The spec's `to_dict`: the platform as it may be shown outside the module (secrets masked). */
export interface ServicePlatformDict {
  id: string;
  tenant_id: string;
  service_name: string;
  config: JsonObject;
  is_active: boolean;
  version: number;
  created_at: string;
  updated_at: string;
}

/**
 * One tenant's registration of one third-party service. Immutable: every change returns the next
 * state with `version + 1`, or the same instance when nothing changes.
 */
export class ServicePlatform {
  private constructor(private readonly props: ServicePlatformProps) {}

  static register(input: {
    id: string;
    tenantId: string;
    serviceName: string;
    config: PlatformConfiguration;
    secrets: SecretPolicy;
    now: Date;
  }): ServicePlatform {
    return new ServicePlatform({
      id: input.id,
      tenantId: input.tenantId,
      serviceName: input.serviceName,
      config: input.config,
      isActive: true,
      version: 1,
      createdAt: input.now,
      updatedAt: input.now,
      secrets: input.secrets,
    });
  }

  /** Rebuilds a platform read from storage. */
  static restore(props: ServicePlatformProps): ServicePlatform {
    return new ServicePlatform(props);
  }

  get id(): string {
    return this.props.id;
  }
  get tenantId(): string {
    return this.props.tenantId;
  }
  get serviceName(): string {
    return this.props.serviceName;
  }
  get config(): PlatformConfiguration {
    return this.props.config;
  }
  get isActive(): boolean {
    return this.props.isActive;
  }
  get version(): number {
    return this.props.version;
  }
  get createdAt(): Date {
    return this.props.createdAt;
  }
  get updatedAt(): Date {
    return this.props.updatedAt;
  }
  get secrets(): SecretPolicy {
    return this.props.secrets;
  }

  /** Applies a partial configuration change; returns `this` when it changes nothing. */
  updateConfig(patch: PlatformConfigurationPatch, now: Date): ServicePlatform {
    const config = this.props.config.merge(patch);
    if (config.equals(this.props.config)) return this;
    return this.next({ config }, now);
  }

  deactivate(now: Date): ServicePlatform {
    return this.props.isActive ? this.next({ isActive: false }, now) : this;
  }

  activate(now: Date): ServicePlatform {
    return this.props.isActive ? this : this.next({ isActive: true }, now);
  }

  toDict(): ServicePlatformDict {
    return {
      id: this.props.id,
      tenant_id: this.props.tenantId,
      service_name: this.props.serviceName,
      config: this.props.config.toMasked(this.props.secrets),
      is_active: this.props.isActive,
      version: this.props.version,
      created_at: this.props.createdAt.toISOString(),
      updated_at: this.props.updatedAt.toISOString(),
    };
  }

  private next(
    change: Partial<Pick<ServicePlatformProps, 'config' | 'isActive'>>,
    now: Date,
  ): ServicePlatform {
    return new ServicePlatform({
      ...this.props,
      ...change,
      version: this.props.version + 1,
      updatedAt: now > this.props.updatedAt ? now : new Date(this.props.updatedAt.getTime() + 1),
    });
  }
}
