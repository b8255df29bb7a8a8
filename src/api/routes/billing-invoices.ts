import { z } from 'zod';
import { invoiceSchema, isPartnerCenterError } from '../../partner-center';
import type { ApiApp, PartnerCenterAccess, RouteModule } from '../app';
import { ProblemError } from '../problems';
import { problems } from '../schemas';

/** The invoice list's page size when none is asked for (as `pcw invoices list`), and the most one page may hold. */
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 1000;

/** The settings without which the API has no Partner Center client (PARTNER_CENTER_BASE_URL has a default). */
const PARTNER_CENTER_SETTINGS =
  'AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH)';

const InvoiceIdParamsSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1..64 characters of [A-Za-z0-9._-]'),
});

const InvoicePageQuerySchema = z.object({
  size: z.coerce
    .number()
    .int('must be a whole number')
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(DEFAULT_PAGE_SIZE)
    .describe('invoices in this page, newest first'),
  offset: z.coerce.number().int('must be a whole number').min(0).default(0).describe('invoices to skip'),
});

const InvoicePageSchema = z
  .object({
    items: z.array(invoiceSchema),
    totalCount: z.number().int().optional(),
    nextOffset: z.number().int().optional().describe('the offset of the next page; absent on the last'),
  })
  .describe('one page of Partner Center invoices, newest first');

/**
 * `GET /v1/invoices`, `GET /v1/invoices/{id}` and `GET /v1/invoices/{id}/statement`: Partner Center invoices, read
 * straight from the API as `pcw invoices` reads them (no workflow). Without Partner Center settings they answer 503
 * naming the settings, and the rest of the API works.
 */
export const billingInvoiceRoutes: RouteModule = (app, { partnerCenter }) => {
  invoiceListRoute(app, partnerCenter);
  invoiceRoute(app, partnerCenter);
  invoiceStatementRoute(app, partnerCenter);
};

/** The API's Partner Center, or a 503 naming the settings it lacks. */
function accessOf(partnerCenter: PartnerCenterAccess | undefined): PartnerCenterAccess {
  if (partnerCenter === undefined)
    throw new ProblemError(
      503,
      'PartnerCenterNotConfigured',
      `the invoice routes need Partner Center settings, and this API has none: set ${PARTNER_CENTER_SETTINGS}`,
    );
  return partnerCenter;
}

function invoiceListRoute(app: ApiApp, partnerCenter: PartnerCenterAccess | undefined): void {
  app.get(
    '/v1/invoices',
    {
      config: { role: 'read' },
      schema: {
        operationId: 'listInvoices',
        summary: "A page of the partner's invoices, newest first",
        tags: ['invoices'],
        querystring: InvoicePageQuerySchema,
        response: { 200: InvoicePageSchema, ...problems(400, 403, 502, 503) },
      },
    },
    async (request) => fromPartnerCenter(() => accessOf(partnerCenter).client.listInvoicesPage(request.query)),
  );
}

function invoiceRoute(app: ApiApp, partnerCenter: PartnerCenterAccess | undefined): void {
  app.get(
    '/v1/invoices/:id',
    {
      config: { role: 'read' },
      schema: {
        operationId: 'getInvoice',
        summary: 'One invoice',
        tags: ['invoices'],
        params: InvoiceIdParamsSchema,
        response: { 200: invoiceSchema, ...problems(400, 403, 404, 502, 503) },
      },
    },
    async (request) => fromPartnerCenter(() => accessOf(partnerCenter).client.getInvoice(request.params.id)),
  );
}

function invoiceStatementRoute(app: ApiApp, partnerCenter: PartnerCenterAccess | undefined): void {
  app.get(
    '/v1/invoices/:id/statement',
    {
      config: { role: 'read' },
      schema: {
        operationId: 'getInvoiceStatement',
        summary: "The invoice's statement PDF (application/pdf); Partner Center serves it to App+User tokens only",
        tags: ['invoices'],
        params: InvoiceIdParamsSchema,
        response: {
          // Sent as the bytes it is; documented as what a JSON Schema says of a PDF.
          200: z
            .custom<Buffer>()
            .meta({ type: 'string', contentMediaType: 'application/pdf' })
            .describe('the statement PDF'),
          ...problems(400, 403, 404, 502, 503),
        },
      },
    },
    async (request, reply) => {
      const { client, tokenMode } = accessOf(partnerCenter);
      if (tokenMode !== 'app+user')
        throw new ProblemError(
          503,
          'AppPlusUserRequired',
          `Partner Center serves the statement PDF of an invoice to App+User tokens only, and this API is App-only: set PARTNER_CENTER_REFRESH_TOKEN (the secure application model) for App+User`,
        );
      const pdf = await fromPartnerCenter(() => client.getInvoiceStatement(request.params.id));
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename="invoice-${request.params.id}.pdf"`)
        .send(pdf);
    },
  );
}

/** A Partner Center refusal as a problem: 404 for an unknown invoice, 502 with its message for anything else. */
async function fromPartnerCenter<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!isPartnerCenterError(error)) throw error;
    if (error.kind === 'not-found') throw new ProblemError(404, 'NotFound', error.message);
    // Its messages carry status, code, description and request id, never a credential (src/partner-center/errors.ts).
    throw new ProblemError(502, 'PartnerCenterError', `Partner Center refused or failed the read: ${error.message}`);
  }
}
