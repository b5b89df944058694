/** The change events of a platform; each is also its Redis pub/sub channel (contract "Events"). */
export const PlatformEventType = {
  Registered: 'platform.registered',
  Updated: 'platform.updated',
  Deactivated: 'platform.deactivated',
  Activated: 'platform.activated',
} as const;
export type PlatformEventType = (typeof PlatformEventType)[keyof typeof PlatformEventType];

export const PLATFORM_EVENT_TYPES: readonly PlatformEventType[] = Object.values(PlatformEventType);

/** The audit trail's `action` of each event (contract "Audit trail"), plus key rotation's. */
export const AuditAction = {
  Registered: 'registered',
  Updated: 'updated',
  Deactivated: 'deactivated',
  Activated: 'activated',
  KeyRotated: 'key_rotated',
} as const;
export type AuditAction = (typeof AuditAction)[keyof typeof AuditAction];

export function isPlatformEventType(value: unknown): value is PlatformEventType {
  return PLATFORM_EVENT_TYPES.includes(value as PlatformEventType);
}
