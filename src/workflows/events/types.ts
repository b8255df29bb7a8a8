import { z } from 'zod';

/**
 * A Partner Center webhook event (contract §3f): `{ EventName, ResourceUri, ResourceName, AuditUri,
 * ResourceChangeUtcDate }`. Read leniently: camelCase names too, null for absent values, unknown fields kept (they
 * travel on in the workflow's input). Only EventName is required: the rest may be empty in a validation event.
 */
const PASCAL_NAMES = ['EventName', 'ResourceUri', 'ResourceName', 'AuditUri', 'ResourceChangeUtcDate'] as const;

const optionalText = z
  .union([z.string(), z.null()])
  .optional()
  .transform((value) => value ?? '')
  .pipe(z.string());

export const PartnerCenterEventSchema = z.preprocess(
  pascalCased,
  z.looseObject({
    EventName: z.string().trim().min(1, 'must name the event (EventName)').max(256),
    ResourceUri: optionalText,
    ResourceName: optionalText,
    AuditUri: optionalText,
    ResourceChangeUtcDate: optionalText,
  }),
);
export type PartnerCenterEvent = z.output<typeof PartnerCenterEventSchema>;

/** `eventName` → `EventName`: Partner Center's own casing, whichever a delivery used. */
function pascalCased(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const entries = Object.entries(body as Record<string, unknown>).map(([key, value]) => {
    const pascal = PASCAL_NAMES.find((name) => name.toLowerCase() === key.toLowerCase());
    return [pascal ?? key, value] as const;
  });
  return Object.fromEntries(entries);
}

/** What the workflow did with an event. */
export const eventOutcomes = [
  'lifecycle-started',
  'lifecycle-signalled',
  'lifecycle-ended',
  'reconciliation-started',
  'reconciliation-already-started',
  'onboarding-signalled',
  'recorded',
  'ignored',
] as const;
export type EventOutcome = (typeof eventOutcomes)[number];

export const PartnerCenterEventResultSchema = z.object({
  eventName: z.string(),
  outcome: z.enum(eventOutcomes),
  /** What was done or why nothing was, in words. */
  detail: z.string(),
  /** The workflow the event reached (the lifecycle or the reconciliation), when it reached one. */
  workflowId: z.string().optional(),
  /** The onboardings a relationship event signalled (none waiting: the outcome is `recorded`). */
  workflowIds: z.array(z.string()).optional(),
});
export type PartnerCenterEventResult = z.infer<typeof PartnerCenterEventResultSchema>;
