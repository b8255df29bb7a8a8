import { isoDate, isoTimestamp } from '../clock';
import { ApiError, badRequest, notFound } from '../errors';
import { link, queryValue, requireQuery } from '../http';
import { pageSize, seekPage } from '../paging';
import type { ApiContext, Route } from '../router';
import type { Invoice } from '../state';

/** Invoices (offset paging) and new-commerce reconciliation line items (seek paging with
 * `MS-ContinuationToken` + `seekOperation=Next`), partner-center-api.md §2.4 and §7. */

/** Partner Center's largest page of reconciliation line items. */
const MAX_LINES_PAGE = 2000;

function requireOneTimeBillingLines(ctx: ApiContext): void {
  const provider = requireQuery(ctx.url, 'provider');
  if (provider.toLowerCase() !== 'onetime')
    throw badRequest('provider', "must be 'onetime' (the sandbox only has new-commerce line items)");
  const type = requireQuery(ctx.url, 'invoiceLineItemType');
  if (type.toLowerCase() !== 'billinglineitems') throw badRequest('invoiceLineItemType', "must be 'billinglineitems'");
}

function invoiceJson(invoice: Invoice): Record<string, unknown> {
  const total = Math.round(invoice.lines.reduce((sum, l) => sum + Number(l.totalForCustomer ?? 0), 0) * 100) / 100;
  return {
    id: invoice.id,
    invoiceDate: isoTimestamp(invoice.invoiceDate),
    billingPeriodStartDate: isoDate(invoice.periodStart),
    billingPeriodEndDate: isoDate(invoice.periodEnd),
    totalCharges: total,
    paidAmount: total,
    currencyCode: invoice.currencyCode,
    currencySymbol: invoice.currencySymbol,
    pdfDownloadLink: `/invoices/${invoice.id}/documents/statement`,
    taxReceipts: [],
    invoiceDetails: [
      {
        invoiceLineItemType: 'billing_line_items',
        billingProvider: 'one_time',
        links: {
          self: link(`/invoices/${invoice.id}/lineitems?provider=onetime&invoicelineitemtype=billinglineitems`),
        },
        attributes: { objectType: 'InvoiceDetail' },
      },
    ],
    amendments: [],
    documentType: 'invoice',
    invoiceType: 'OneTime',
    status: 'paid',
    links: { self: link(`/invoices/${invoice.id}`) },
    attributes: { objectType: 'Invoice' },
  };
}

function invoiceOf(ctx: ApiContext): Invoice {
  const invoice = ctx.runtime.world.invoices.find(
    (i) => i.id.toUpperCase() === ctx.params.invoiceId.toUpperCase() && i.partnerTenantId === ctx.partner.tenantId,
  );
  if (!invoice) throw notFound(0, `Invoice ${ctx.params.invoiceId} was not found.`);
  return invoice;
}

/** A one-page PDF statement of the invoice (a real, minimal PDF: header, objects, xref table, trailer). */
function statementPdf(invoice: Invoice): Buffer {
  const total = invoice.lines.reduce((sum, l) => sum + Number(l.totalForCustomer ?? 0), 0).toFixed(2);
  const text = [
    `Invoice ${invoice.id}`,
    `Billing period ${isoDate(invoice.periodStart)} to ${isoDate(invoice.periodEnd)}`,
    `Total ${total} ${invoice.currencyCode}`,
  ];
  const content = `BT /F1 14 Tf 72 720 Td ${text.map((t) => `(${t}) Tj 0 -24 Td`).join(' ')} ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets = objects.map((body, i) => {
    const offset = pdf.length;
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return offset;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

/** [start, end) of the calendar month that `period` names, on the sandbox clock. */
export function periodRange(now: number, period: string): [number, number] {
  const d = new Date(now);
  const monthStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  if (period === 'current') return [monthStart, Infinity];
  const previousStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1);
  return [previousStart, monthStart];
}

export const billingRoutes: Route[] = [
  {
    method: 'GET',
    template: '/v1/invoices',
    handle: (ctx) => {
      const size = pageSize(ctx, 100, 1000);
      const rawOffset = queryValue(ctx.url, 'offset') ?? '0';
      const offset = Number(rawOffset);
      if (!Number.isInteger(offset) || offset < 0) throw badRequest('offset', 'must be a whole number of at least 0');
      const invoices = ctx.runtime.world.invoices
        .filter((i) => i.partnerTenantId === ctx.partner.tenantId)
        .sort((a, b) => b.invoiceDate - a.invoiceDate);
      const page = invoices.slice(offset, offset + size);
      const hasNext = offset + size < invoices.length;
      return {
        status: 200,
        body: {
          totalCount: invoices.length,
          items: page.map(invoiceJson),
          links: {
            self: link(`/invoices?size=${size}&offset=${offset}`),
            ...(hasNext ? { next: link(`/invoices?size=${size}&offset=${offset + size}`) } : {}),
            ...(offset > 0 ? { previous: link(`/invoices?size=${size}&offset=${Math.max(0, offset - size)}`) } : {}),
          },
          attributes: { objectType: 'Collection' },
        },
      };
    },
  },
  {
    method: 'GET',
    template: '/v1/invoices/unbilled/lineitems',
    handle: (ctx) => {
      requireOneTimeBillingLines(ctx);
      const currency = requireQuery(ctx.url, 'currencyCode').toUpperCase();
      if (!/^[A-Z]{3}$/.test(currency)) throw badRequest('currencyCode', 'must be an ISO 4217 code such as USD');
      const period = requireQuery(ctx.url, 'period').toLowerCase();
      if (period !== 'current' && period !== 'previous') throw badRequest('period', "must be 'current' or 'previous'");
      const [from, to] = periodRange(ctx.now, period);
      const visibleUntil = ctx.now - ctx.runtime.delays.reconLineMs;
      const items = ctx.runtime.world.recon
        .filter(
          (l) =>
            l.partnerTenantId === ctx.partner.tenantId &&
            l.currency === currency &&
            l.at >= from &&
            l.at < to &&
            l.at <= visibleUntil,
        )
        .map((l) => l.item);
      const query = `provider=onetime&invoicelineitemtype=billinglineitems&currencycode=${currency}&period=${period}`;
      return seekPage(
        ctx,
        MAX_LINES_PAGE,
        items,
        `unbilled:${currency}:${period}`,
        (size) => `/invoices/unbilled/lineitems?${query}&size=${size}&seekOperation=Next`,
      );
    },
  },
  {
    method: 'GET',
    template: '/v1/invoices/{invoiceId}',
    appUserOnly: true,
    handle: (ctx) => ({ status: 200, body: invoiceJson(invoiceOf(ctx)) }),
  },
  {
    method: 'GET',
    template: '/v1/invoices/{invoiceId}/documents/statement',
    appUserOnly: true,
    handle: (ctx) => ({
      status: 200,
      body: statementPdf(invoiceOf(ctx)),
      headers: { 'content-type': 'application/pdf' },
    }),
  },
  {
    method: 'GET',
    template: '/v1/invoices/{invoiceId}/lineitems',
    handle: (ctx) => {
      requireOneTimeBillingLines(ctx);
      if (queryValue(ctx.url, 'seekOperation') !== undefined)
        throw new ApiError(
          400,
          0,
          'Use /invoices/{id}/lineitems/OneTime/BillingLineItems?seekOperation=Next for the next page.',
        );
      const invoice = invoiceOf(ctx);
      return seekPage(
        ctx,
        MAX_LINES_PAGE,
        invoice.lines,
        `invoice:${invoice.id}`,
        (size) => `/invoices/${invoice.id}/lineitems/OneTime/BillingLineItems?size=${size}&seekOperation=Next`,
      );
    },
  },
  {
    method: 'GET',
    template: '/v1/invoices/{invoiceId}/lineitems/OneTime/BillingLineItems',
    handle: (ctx) => {
      const invoice = invoiceOf(ctx);
      if (queryValue(ctx.url, 'seekOperation') === undefined)
        throw badRequest('seekOperation', "is required ('Next') on this continuation route");
      return seekPage(
        ctx,
        MAX_LINES_PAGE,
        invoice.lines,
        `invoice:${invoice.id}`,
        (size) => `/invoices/${invoice.id}/lineitems/OneTime/BillingLineItems?size=${size}&seekOperation=Next`,
      );
    },
  },
];
