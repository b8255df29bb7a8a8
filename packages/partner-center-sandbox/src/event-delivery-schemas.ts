import { z } from 'zod';

/** The control API's event registration and delivery bodies, shared by the control client and the sandbox's delivery. */
export const eventRegistrationSchema = z.object({ url: z.url() });

export const eventDeliverySchema = z.object({
  event: z.looseObject({
    EventName: z.string().min(1),
    ResourceUri: z.string().default(''),
    ResourceName: z.string().default(''),
    AuditUri: z.string().default(''),
    /** Default: the sandbox clock's now. */
    ResourceChangeUtcDate: z.string().optional(),
  }),
  /** For tests of refusals: `body` sends another body than the one signed; `certificateUrl` names another certificate. */
  tamper: z.object({ body: z.boolean().optional(), certificateUrl: z.string().optional() }).optional(),
});

/** The answer of the registered URL to one delivery. */
export interface EventDeliveryResult {
  status: number;
  body: string;
}
