import type { ServiceDefinition } from '../service-definition';
import { GMAIL, GOOGLE_CALENDAR } from './google.services';
import { HUBSPOT } from './hubspot.service';
import { MICROSOFT_TEAMS } from './microsoft-teams.service';
import { OUTLOOK } from './outlook.service';
import { SALESFORCE } from './salesforce.service';
import { SLACK } from './slack.service';
import { TWILIO } from './twilio.service';
import { WHATSAPP } from './whatsapp.service';
import { ZENDESK } from './zendesk.service';

/** The services the catalog knows without a host app adding any. */
export const BUILT_IN_SERVICES: readonly ServiceDefinition[] = [
  OUTLOOK,
  GMAIL,
  GOOGLE_CALENDAR,
  WHATSAPP,
  SLACK,
  MICROSOFT_TEAMS,
  SALESFORCE,
  HUBSPOT,
  ZENDESK,
  TWILIO,
];
