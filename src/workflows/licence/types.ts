/**
 * Contract §3 data of `assignLicences` (contract v3), and the shapes its activities exchange with it. Pure zod:
 * imported by the activities and upstream clients alike, and by the workflow bundle only through common/schemas.ts.
 */
import { z } from 'zod';
import { validateWith, type InvalidField, type Validation } from '../common/validation';

/** More users than one request needs (the admin portal stops at 20): the run's input and result stay well under 1 MiB. */
export const MAX_USERS_PER_REQUEST = 2000;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** `name@domain.tld` as Entra ID accepts it: no spaces, a dotted domain. */
const USER_PRINCIPAL_NAME = /^[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

/** A user of the customer's tenant: its user principal name or its object id (GUID). */
export const LicenceUserSchema = z
  .string()
  .trim()
  .refine(
    (user) => GUID.test(user) || USER_PRINCIPAL_NAME.test(user),
    'must be a user principal name (name@domain) or an object id (GUID)',
  );

/** How two references name the same user: UPNs and GUIDs compare without case. */
export function userKey(user: string): string {
  return user.trim().toLowerCase();
}

/** Adds an issue for every user listed twice in `users`, naming where it was first listed. */
export function refineDistinctUsers(users: readonly string[], path: PropertyKey[], ctx: z.RefinementCtx): void {
  const first = new Map<string, number>();
  users.forEach((user, index) => {
    const seen = first.get(userKey(user));
    if (seen === undefined) first.set(userKey(user), index);
    else
      ctx.addIssue({
        code: 'custom',
        path: [...path, index],
        input: user,
        message: `lists this user again (already at [${seen}])`,
      });
  });
}

/** A list of users, each listed once (a purchase item's `assignTo`, a request's `assign` and `remove`). */
export const LicenceUsersSchema = z
  .array(LicenceUserSchema)
  .max(MAX_USERS_PER_REQUEST, `must name at most ${MAX_USERS_PER_REQUEST} users`)
  .superRefine((users, ctx) => refineDistinctUsers(users, [], ctx));

export const LicenceRequestSchema = z.strictObject({
  /** Up to 136 characters: room for a purchase's requestId and its item (`{requestId}-{item}`). */
  requestId: z.string().regex(/^[A-Za-z0-9._:-]{1,136}$/, 'must be 1..136 characters of [A-Za-z0-9._:-]'),
  customerId: z.guid('must be a GUID'),
  subscriptionId: z.guid('must be a GUID'),
  /** Users to give the subscription's licence. */
  assign: LicenceUsersSchema,
  /** Users to take it from (done first: they free seats). */
  remove: LicenceUsersSchema.default([]),
});
/** What callers send. */
export type LicenceRequest = z.input<typeof LicenceRequestSchema>;
/** The request after validation (`remove` defaulted, users trimmed). */
export type ValidLicenceRequest = z.output<typeof LicenceRequestSchema>;

/**
 * Validates without throwing (a workflow task must never fail on bad input): the fields, then the rules across
 * `assign` and `remove` — read from the input as given, so they are named even when another field is bad.
 */
export function validateLicenceRequest(input: unknown): Validation<ValidLicenceRequest> {
  const validation = validateWith(LicenceRequestSchema, input);
  const across = acrossListProblems(input);
  if (across.length === 0) return validation;
  return { ok: false, problems: [...(validation.ok ? [] : validation.problems), ...across] };
}

function usersIn(input: unknown, field: 'assign' | 'remove'): string[] {
  const list = typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[field] : undefined;
  return Array.isArray(list) ? list.filter((u): u is string => typeof u === 'string') : [];
}

/** At least one user, at most MAX_USERS_PER_REQUEST in all, and no user both given and taken the licence. */
function acrossListProblems(input: unknown): InvalidField[] {
  const assign = usersIn(input, 'assign');
  const remove = usersIn(input, 'remove');
  const problems: InvalidField[] = [];
  const hasAssign = typeof input === 'object' && input !== null && 'assign' in input;
  if (hasAssign && assign.length + remove.length === 0)
    problems.push({ field: 'assign', problem: 'must name at least one user (or remove one)' });
  if (
    assign.length + remove.length > MAX_USERS_PER_REQUEST &&
    Math.max(assign.length, remove.length) <= MAX_USERS_PER_REQUEST
  )
    problems.push({
      field: 'remove',
      problem: `with assign must name at most ${MAX_USERS_PER_REQUEST} users (got ${assign.length} + ${remove.length})`,
    });
  const assigned = new Map<string, number>();
  assign.forEach((user, index) => assigned.set(userKey(user), assigned.get(userKey(user)) ?? index));
  remove.forEach((user, index) => {
    const also = assigned.get(userKey(user));
    if (also !== undefined)
      problems.push({
        field: `remove[${index}]`,
        problem: `names ${user}, who is also in assign[${also}]: a user is either given the licence or has it taken`,
      });
  });
  return problems;
}

export const licenceOutcomes = [
  'assigned',
  'alreadyAssigned',
  'removed',
  'userNotFound',
  'noLicenceAvailable',
] as const;
export const LicenceOutcomeSchema = z.enum(licenceOutcomes);
export type LicenceOutcome = z.infer<typeof LicenceOutcomeSchema>;

/** One user's outcome: every user of the request has one, so a partial assignment is never silent. */
export const LicenceUserResultSchema = z.object({
  user: z.string(),
  outcome: LicenceOutcomeSchema,
  /** Why, in Graph's words where it refused (no licence left, no usage location). */
  detail: z.string().optional(),
});
export type LicenceUserResult = z.infer<typeof LicenceUserResultSchema>;

/** The licence SKU of the subscription in the customer's tenant: seats that can be assigned, and assigned. */
export const LicenceSkuSchema = z.object({
  skuId: z.string(),
  /** Enabled seats of the SKU, across every subscription of its product. */
  total: z.number().int(),
  /** Seats assigned to users. */
  consumed: z.number().int(),
});
export type LicenceSku = z.infer<typeof LicenceSkuSchema>;

export const LicenceResultSchema = z.object({
  requestId: z.string(),
  customerId: z.string(),
  subscriptionId: z.string(),
  /** Read after the assignments. */
  sku: LicenceSkuSchema,
  /** Removals first, then assignments, each in the order of the request. */
  users: z.array(LicenceUserResultSchema),
});
export type LicenceResult = z.infer<typeof LicenceResultSchema>;

export const licenceSteps = ['validating', 'awaiting-licences', 'assigning', 'completed', 'failed'] as const;
export const LicenceStepSchema = z.enum(licenceSteps);
export type LicenceStep = z.infer<typeof LicenceStepSchema>;

/** The `status` query. */
export const LicenceStatusSchema = z.object({
  step: LicenceStepSchema,
  customerId: z.string().optional(),
  subscriptionId: z.string().optional(),
  /** Users handled so far, of `users`. */
  done: z.number().int(),
  users: z.number().int(),
  lastError: z.string().optional(),
  updatedAt: z.string(),
});
export type LicenceStatus = z.infer<typeof LicenceStatusSchema>;

// ---- Between the workflow and its activities ----

export interface LicenceSubscriptionInput {
  customerId: string;
  subscriptionId: string;
}

/** One user to give the SKU or take it from. */
export interface LicenceChange {
  user: string;
  action: 'assign' | 'remove';
}

export interface LicenceBatchInput {
  customerId: string;
  skuId: string;
  changes: LicenceChange[];
  /** An earlier batch found no free licence: assignments are not tried (removals and look-ups still are). */
  seatsExhausted: boolean;
}

export interface LicenceBatchResult {
  users: LicenceUserResult[];
  seatsExhausted: boolean;
}
