import { Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { checkActor, type Actor } from '../domain/actor';
import { ActivatePlatformCommand } from './commands/activate-platform/activate-platform.command';
import { DeactivatePlatformCommand } from './commands/deactivate-platform/deactivate-platform.command';
import { RegisterPlatformCommand } from './commands/register-platform/register-platform.command';
import { UpdatePlatformCommand } from './commands/update-platform/update-platform.command';
import { GetPlatformQuery } from './queries/get-platform/get-platform.query';
import { ListAuditEntriesQuery } from './queries/list-audit-entries/list-audit-entries.query';
import { ListPlatformsQuery } from './queries/list-platforms/list-platforms.query';
import type {
  ActivatePlatformRequest,
  ActivatePlatformResponse,
  DeactivatePlatformRequest,
  DeactivatePlatformResponse,
  GetPlatformRequest,
  ListAuditEntriesRequest,
  ListAuditEntriesResponse,
  ListPlatformsRequest,
  ListPlatformsResponse,
  PlatformResponse,
  RegisterPlatformRequest,
  RegisterPlatformResponse,
  ListServicesResponse,
  PlatformChangeResponse,
  ServiceResponse,
  UpdatePlatformRequest,
  WriteOptions,
} from './service-platform.contracts';
import { ServiceCatalog, shownByCatalog } from './catalog/service-catalog';
import type { ServiceDescription } from '../domain/catalog/service-definition';
import { IdempotentWrites, type IdempotentOperation } from './idempotency/idempotent-writes';
import type { ServicePlatform } from '../domain/service-platform.entity';

/**
 * The module's facade (the spec's `IServicePlatformService`): what host apps and the transports
 * call. It only dispatches to the command and query buses and shapes the answers; every rule lives
 * in the handlers and the domain. Responses never carry a plaintext secret. The actor a host hands
 * in is checked as the transports' is (`checkActor`): a malformed one is refused (401), and an
 * absent tenant is no tenant, never "any tenant".
 */
@Injectable()
export class ServicePlatformService {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    private readonly idempotent: IdempotentWrites,
    private readonly catalog: ServiceCatalog,
  ) {}

  /** The service catalog: what each service needs, which fields are public, its doc links. */
  listServices(): ListServicesResponse {
    return { services: this.catalog.list().map(toServiceResponse) };
  }

  /** One service of the catalog; `ServiceNotFoundError` (404) when it has none of that name. */
  getService(name: string): ServiceResponse {
    return toServiceResponse(this.catalog.describe(name));
  }

  registerPlatform(
    request: RegisterPlatformRequest,
    caller: Actor,
    options: WriteOptions = {},
  ): Promise<RegisterPlatformResponse> {
    return this.change('register', request, caller, options, async (actor) => {
      const platform = await this.commandBus.execute(
        new RegisterPlatformCommand(actor, request.tenant_id, request.service_name, request.config),
      );
      return {
        platform,
        message: `Platform '${platform.serviceName}' registered for tenant ${platform.tenantId}`,
      };
    });
  }

  async getPlatform(request: GetPlatformRequest, caller: Actor): Promise<PlatformResponse> {
    return this.queryBus.execute(new GetPlatformQuery(checkActor(caller), request.platform_id));
  }

  async updatePlatform(
    request: UpdatePlatformRequest,
    caller: Actor,
    options: WriteOptions = {},
  ): Promise<PlatformResponse> {
    const actor = checkActor(caller);
    const response = await this.idempotent.run(
      actor,
      options.idempotencyKey,
      'update',
      request,
      async () => {
        const platform = await this.commandBus.execute(
          new UpdatePlatformCommand(actor, request.platform_id, request.config, request.version),
        );
        return platform.toDict();
      },
    );
    // A replay answers what was stored, masked by the rules of its time: shown by today's.
    return shownByCatalog(response, this.catalog);
  }

  deactivatePlatform(
    request: DeactivatePlatformRequest,
    caller: Actor,
    options: WriteOptions = {},
  ): Promise<DeactivatePlatformResponse> {
    return this.change('deactivate', request, caller, options, async (actor) => {
      const { platform, changed } = await this.commandBus.execute(
        new DeactivatePlatformCommand(actor, request.platform_id),
      );
      return {
        platform,
        message: changed ? 'Platform deactivated' : 'Platform was already inactive',
      };
    });
  }

  activatePlatform(
    request: ActivatePlatformRequest,
    caller: Actor,
    options: WriteOptions = {},
  ): Promise<ActivatePlatformResponse> {
    return this.change('activate', request, caller, options, async (actor) => {
      const { platform, changed } = await this.commandBus.execute(
        new ActivatePlatformCommand(actor, request.platform_id),
      );
      return {
        platform,
        message: changed ? 'Platform activated' : 'Platform was already active',
      };
    });
  }

  async listPlatforms(
    request: ListPlatformsRequest,
    caller: Actor,
  ): Promise<ListPlatformsResponse> {
    const result = await this.queryBus.execute(
      new ListPlatformsQuery(checkActor(caller), {
        ...(request.tenant_id !== undefined && { tenantId: request.tenant_id }),
        ...(request.is_active !== undefined && { isActive: request.is_active }),
        ...(request.service_name !== undefined && { serviceName: request.service_name }),
        ...(request.limit !== undefined && { limit: request.limit }),
        ...(request.cursor !== undefined && { cursor: request.cursor }),
      }),
    );
    return {
      platforms: [...result.platforms],
      next_cursor: result.nextCursor,
    };
  }

  /** A platform's audit trail, newest first (tenant admins of its tenant, platform admins). */
  async listAuditEntries(
    request: ListAuditEntriesRequest,
    caller: Actor,
  ): Promise<ListAuditEntriesResponse> {
    const result = await this.queryBus.execute(
      new ListAuditEntriesQuery(
        checkActor(caller),
        request.platform_id,
        request.limit,
        request.cursor,
      ),
    );
    return {
      entries: result.entries.map((entry) => ({
        id: entry.id,
        platform_id: entry.platformId,
        tenant_id: entry.tenantId,
        action: entry.action,
        actor_id: entry.actorId,
        changes: entry.changes,
        occurred_at: entry.occurredAt.toISOString(),
        event_id: entry.eventId,
      })),
      next_cursor: result.nextCursor,
    };
  }

  /**
   * A write answered `{ platform, success, message }`, run once per idempotency key, for the
   * actor checked as the transports check theirs (async: a refusal rejects, never throws).
   */
  private async change(
    operation: IdempotentOperation,
    request: object,
    caller: Actor,
    options: WriteOptions,
    write: (actor: Actor) => Promise<{ platform: ServicePlatform; message: string }>,
  ): Promise<PlatformChangeResponse> {
    const actor = checkActor(caller);
    const response = await this.idempotent.run(
      actor,
      options.idempotencyKey,
      operation,
      request,
      async () => {
        const { platform, message } = await write(actor);
        return { platform: platform.toDict(), success: true as const, message };
      },
    );
    // A replay answers what was stored, masked by the rules of its time: shown by today's.
    return { ...response, platform: shownByCatalog(response.platform, this.catalog) };
  }
}

function toServiceResponse(service: ServiceDescription): ServiceResponse {
  return {
    name: service.name,
    display_name: service.displayName,
    description: service.description,
    docs: service.docs.map((link) => ({ title: link.title, url: link.url })),
    schema: service.schema,
    required_fields: [...service.requiredFields],
    public_fields: [...service.publicFields],
    secret_fields: [...service.secretFields],
  };
}
