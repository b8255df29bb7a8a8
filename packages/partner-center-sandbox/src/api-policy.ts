import { z } from 'zod';

/** `replay` (documented): a repeated checkout of an ordered cart answers the first result; `already-submitted`: 400/800065. */
export const REPEATED_CHECKOUT_ANSWERS = ['replay', 'already-submitted'] as const;

/**
 * How a transition answers its events: `state` (one event per step, its status changing in place) or `log` (each
 * step's `Started` event stays and its `Completed`/`Failed` one follows), which the documentation does not settle.
 */
export const TRANSITION_EVENT_SHAPES = ['state', 'log'] as const;
export type TransitionEventShape = (typeof TRANSITION_EVENT_SHAPES)[number];

/** How the API answers where Partner Center's behaviour is not confirmed (partner-center-api.md §2.3, §4.6, §10). */
export const apiPolicySchema = z.object({
  repeatedCheckout: z.enum(REPEATED_CHECKOUT_ANSWERS).optional(),
  /** A POST/PUT/PATCH repeated with the same MS-RequestId answers the stored response (no server-side contract is documented). */
  requestIdReplay: z.boolean().optional(),
  transitionEvents: z.enum(TRANSITION_EVENT_SHAPES).optional(),
});
export type ApiPolicy = Required<z.infer<typeof apiPolicySchema>>;
