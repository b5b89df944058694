/**
 * The messages of `service_platform.proto` as `@grpc/proto-loader` hands them over with
 * `SERVICE_PLATFORM_PROTO_LOADER_OPTIONS` (field names as in the .proto, `optional` fields and
 * unset messages `undefined`, int32 as number). Keep in step with the .proto.
 */

/** google.protobuf.Value (protobufjs names its fields in camelCase). */
export interface ValueMessage {
  kind?: 'nullValue' | 'numberValue' | 'stringValue' | 'boolValue' | 'structValue' | 'listValue';
  nullValue?: 'NULL_VALUE' | 0;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: StructMessage;
  listValue?: { values?: ValueMessage[] };
}

/** google.protobuf.Struct: a JSON object. */
export interface StructMessage {
  fields?: Record<string, ValueMessage>;
}

export interface PlatformResponseMessage {
  id: string;
  tenant_id: string;
  service_name: string;
  config: StructMessage;
  is_active: boolean;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface PlatformConfigurationMessage {
  client_id?: string;
  client_secret?: string;
  tenant_id?: string;
  additional_data?: StructMessage;
}

export interface PlatformConfigurationPatchMessage {
  client_id?: string;
  client_secret?: string;
  tenant_id?: string;
  additional_data?: StructMessage;
  remove_tenant_id?: boolean;
  remove_additional_data?: boolean;
}

export interface RegisterPlatformRequestMessage {
  tenant_id?: string;
  service_name?: string;
  config?: PlatformConfigurationMessage;
}

export interface PlatformChangeResponseMessage {
  platform: PlatformResponseMessage;
  success: boolean;
  message: string;
}

export interface PlatformIdRequestMessage {
  platform_id?: string;
}

export interface UpdatePlatformRequestMessage {
  platform_id?: string;
  config?: PlatformConfigurationPatchMessage;
  version?: number;
}

export interface ListPlatformsRequestMessage {
  tenant_id?: string;
  is_active?: boolean;
  service_name?: string;
  limit?: number;
  cursor?: string;
}

export interface ListPlatformsResponseMessage {
  platforms: PlatformResponseMessage[];
  next_cursor?: string;
}

export interface ResolveCredentialsRequestMessage {
  tenant_id?: string;
  service_name?: string;
}

export interface ResolveCredentialsResponseMessage {
  platform_id: string;
  tenant_id: string;
  service_name: string;
  version: number;
  config: PlatformConfigurationMessage;
}

export interface GetServiceRequestMessage {
  name?: string;
}

export interface ServiceDescriptionMessage {
  name: string;
  display_name: string;
  description: string;
  docs: { title: string; url: string }[];
  schema: StructMessage;
  required_fields: string[];
  public_fields: string[];
  secret_fields: string[];
}

export interface ListServicesResponseMessage {
  services: ServiceDescriptionMessage[];
}
