import type { z } from 'zod';
import {
  cancelOnboardingUpdate,
  gdapApprovedSignal,
  OnboardCancelAcknowledgementSchema,
  OnboardCancelArgsSchema,
  onboardFailureTypes,
  OnboardRequestSchema,
  OnboardResultSchema,
  onboardStatusQuery,
  OnboardStatusSchema,
  relationshipAcceptedSignal,
  type OnboardFailureType,
} from '../../src/workflows/customer/api';

/** The reference's helpers, lent by reference.ts (which lists this section among its own). */
export interface SectionHelpers {
  jsonSchemaBlock(schema: z.ZodType, io: 'input' | 'output'): string;
  table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string;
  code(text: string): string;
}

const onboardFailureMeanings: Record<OnboardFailureType, string> = {
  InvalidOnboardRequest:
    'The request broke a rule (every problem named in the message, the list in the details); nothing was called.',
  DomainUnavailable: '`domainPrefix.onmicrosoft.com` is taken by another tenant; nothing was created.',
  CustomerCreationRefused: 'Partner Center refused to create the customer (its code and description in the details).',
  RelationshipNotAccepted:
    'The existing tenant did not accept the reseller relationship within `RELATIONSHIP_ACCEPT_TIMEOUT`.',
  QualificationRefused:
    'Partner Center denied the qualification (its reason in the message), or did not review it within `GDAP_APPROVAL_TIMEOUT`.',
  GdapRefused:
    'A GDAP relationship Microsoft refuses (Global Administrator with `autoExtend`), or Graph refused a relationship or an access assignment.',
  GdapNotApproved:
    'The customer did not approve the GDAP relationship within `GDAP_APPROVAL_TIMEOUT`, or it ended unapproved.',
  Unauthorized: 'The credentials were refused (401).',
  MfaRequired: 'The App+User token has no MFA claim: re-consent with MFA.',
};

export function onboardingSection({ jsonSchemaBlock, table, code }: SectionHelpers): string {
  return `## onboardCustomer

Takes a customer from nothing, or from an existing Microsoft tenant, to ready to buy and to administer
([onboarding.md](onboarding.md)): the domain check and the creation exactly once (a lost answer is resolved by looking
the domain up before any second attempt; the one-time admin password is dropped by the activity that receives it), or
the invitation and its acceptance; the Microsoft Customer Agreement with the current template (600061, already on
record, is success); the qualification and its review; GDAP on Microsoft Graph (create, \`lockForApproval\`, the
customer's approval, then each access assignment until active). Waits end early on \`${relationshipAcceptedSignal.name}\` and
\`${gdapApprovedSignal.name}\` (sent by \`partnerCenterEvent\`), else by polling.

Steps (\`PcStep\`): ${OnboardStatusSchema.shape.step.options.map(code).join(' → ')}; \`creating-customer\` and
\`awaiting-relationship\` are the two paths, \`completed\`, \`failed\` and \`cancelled\` the ends.

### OnboardRequest (input)

Rules the JSON Schema cannot show: exactly one of \`customer.create\` and \`customer.existingTenantId\`; \`country\` an
ISO 3166-1 alpha-2 code (upper-cased; \`culture\` and \`language\` default from it); \`domainPrefix\` 1..63 letters and
digits (lower-cased); \`gdap.duration\` an ISO 8601 duration of at most \`P730D\`; an access assignment's roles among
\`gdap.roles\`; Global Administrator (\`62e90394-69f5-4237-9190-012177145e10\`) never with \`autoExtend\`.

${jsonSchemaBlock(OnboardRequestSchema, 'input')}

### OnboardResult (result)

${jsonSchemaBlock(OnboardResultSchema, 'output')}

### Query \`${onboardStatusQuery.name}\` → OnboardStatus

${jsonSchemaBlock(OnboardStatusSchema, 'output')}

### Update \`${cancelOnboardingUpdate.name}\`

Before the customer exists nothing is done; after, the run stops waiting and ends cancelled (a \`CancelledFailure\`
whose message and details name what exists: nothing created is deleted).

${jsonSchemaBlock(OnboardCancelArgsSchema, 'input')}

${jsonSchemaBlock(OnboardCancelAcknowledgementSchema, 'output')}

### Failure types

${table(
  ['type', 'meaning'],
  Object.values(onboardFailureTypes).map((type) => [code(type), onboardFailureMeanings[type]]),
)}`;
}
