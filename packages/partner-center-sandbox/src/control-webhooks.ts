import { z } from 'zod';
import { logChange } from './activity-log';
import { isoTimestamp } from './clock';
import { raiseChangeEvent } from './change-events';
import type { ControlRoute } from './control-route';
import { ApiError } from './errors';
import { parseWith } from './http';

/** Control routes of Partner Center's events (docs/sandbox.md): an invoice made ready, delivery suppressed. */

const suppressSchema = z.object({ on: z.boolean() });

export const webhookControlRoutes: ControlRoute[] = [
  {
    method: 'POST',
    template: '/_sandbox/invoices/{invoiceId}/ready',
    handle: ({ deps, params }) => {
      const invoice = deps.runtime.world.invoices.find((i) => i.id.toLowerCase() === params.invoiceId.toLowerCase());
      if (!invoice) throw new ApiError(404, 0, `Invoice ${params.invoiceId} was not found.`);
      const record = logChange(
        deps.runtime,
        {
          customerId: '',
          resourceType: 'invoice',
          operationType: 'invoice_ready',
          resourceNewValue: {
            id: invoice.id,
            invoiceDate: isoTimestamp(invoice.invoiceDate),
            currencyCode: invoice.currencyCode,
          },
        },
        { partnerId: invoice.partnerTenantId },
      );
      raiseChangeEvent(deps, 'invoice-ready', `/invoices/${invoice.id}`, invoice.id, record);
      return { status: 202, body: { invoiceId: invoice.id, delivered: !deps.events.suppressed } };
    },
  },
  {
    method: 'POST',
    template: '/_sandbox/webhooks/suppress',
    handle: ({ deps, body }) => {
      deps.events.suppressed = parseWith(suppressSchema, body()).on;
      return { status: 200, body: { on: deps.events.suppressed } };
    },
  },
  {
    method: 'GET',
    template: '/_sandbox/webhooks/deliveries',
    handle: ({ deps }) => ({ status: 200, body: { inFlight: deps.events.inFlight.size } }),
  },
];
