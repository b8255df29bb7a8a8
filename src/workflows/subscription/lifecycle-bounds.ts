/** Reviews kept in a lifecycle's state (and carried over a continue-as-new). Zod-free: the workflow bundle reads it. */
export const REVIEWS_KEPT = 10;
