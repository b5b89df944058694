import { ApiProperty } from '@nestjs/swagger';

export class ServiceDocLinkDto {
  @ApiProperty({ example: 'Register an application with the Microsoft identity platform' })
  title!: string;
  @ApiProperty({
    format: 'uri',
    example: 'https://learn.microsoft.com/en-us/entra/identity-platform/quickstart-register-app',
  })
  url!: string;
}

/** One service of the catalog (contract `GET /services`). */
export class ServiceResponseDto {
  @ApiProperty({ example: 'outlook', description: 'The `service_name` of its platforms' })
  name!: string;
  @ApiProperty({ example: 'Microsoft Outlook (Microsoft Graph)' }) display_name!: string;
  @ApiProperty() description!: string;
  @ApiProperty({
    type: [ServiceDocLinkDto],
    description: 'The provider’s credential documentation',
  })
  docs!: ServiceDocLinkDto[];

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'JSON Schema (draft-07) of a platform’s `config` for this service: required fields, types, ' +
      'formats, titles; secrets are `writeOnly`. A client can render a form from it.',
  })
  schema!: Record<string, unknown>;

  @ApiProperty({ type: [String], example: ['client_id', 'client_secret', 'tenant_id'] })
  required_fields!: string[];
  @ApiProperty({
    type: [String],
    example: ['client_id', 'tenant_id', 'additional_data.redirect_uri'],
    description: 'Fields shown in clear in answers, events and the audit trail',
  })
  public_fields!: string[];
  @ApiProperty({
    type: [String],
    example: ['client_secret'],
    description:
      'Declared secrets (encrypted, always "********"); any undeclared `additional_data` key is one too',
  })
  secret_fields!: string[];
}

export class ListServicesResponseDto {
  @ApiProperty({ type: [ServiceResponseDto] }) services!: ServiceResponseDto[];
}
