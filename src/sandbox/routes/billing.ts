import { isoDate, isoTimestamp } from '../clock';
import { ApiError, badRequest, notFound } from '../errors';
import { header, link, queryValue, requireQuery, type ApiResponse } from '../http';
import type { ApiContext, Route } from '../router';
import type { Invoice } from '../state';

/** Invoices (offset paging) and new-commerce reconciliation line items (seek paging with
 * `MS-ContinuationToken` + `seekOperation=Next`), partner-center-api.md §2.4 and §7. */

const MAX_PAGE = 2000;

function pageSize(ctx: ApiContext, fallback: number, max: number): number {
  const raw = queryValue(ctx.url, 'size');
  if (raw === undefined) return fallback;
  const size = Number(raw);
  if (!Number.isInteger(size) || size < 1 || size > max) throw badRequest('size', `must be a whole number from 1 to ${max}`);
  return size;
}

function requireOneTimeBillingLines(ctx: ApiContext): void {
  const provider = requireQuery(ctx.url, 'provider');
  if (provider.toLowerCase() !== 'onetime') throw badRequest('provider', "must be 'onetime' (the sandbox only has new-commerce line items)");
  const type = requireQuery(ctx.url, 'invoiceLineItemType');
  if (type.toLowerCase() !== 'billinglineitems') throw badRequest('invoiceLineItemType', "must be 'billinglineitems'");
}

interface Continuation {
  offset: number;
  scope: string;
}

const encodeToken = (c: Continuation) => Buffer.from(JSON.stringify(c)).toString('base64url');

function decodeToken(token: string, scope: string): Continuation {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Continuation>;
    if (typeof parsed.offset === 'number' && parsed.scope === scope) return { offset: parsed.offset, scope };
  } catch {
    // fall through to the 400 below
  }
  throw badRequest('MS-ContinuationToken', 'is not a continuation token of this query');
}

/** One seek page: the first page from the query, later ones from `MS-ContinuationToken` + `seekOperation=Next`. */
function seekPage(ctx: ApiContext, items: unknown[], scope: string, nextUri: (size: number) => string): ApiResponse {
  const size = pageSize(ctx, MAX_PAGE, MAX_PAGE);
  const seek = queryValue(ctx.url, 'seekOperation');
  let offset = 0;
  if (seek !== undefined) {
    if (seek.toLowerCase() !== 'next') throw badRequest('seekOperation', "must be 'Next'");
    const token = header(ctx.headers, 'ms-continuationtoken');
    if (!token) throw badRequest('MS-ContinuationToken', 'header is required with seekOperation=Next');
    offset = decodeToken(token, scope).offset;
  }
  const page = items.slice(offset, offset + size);
  const more = offset + size < items.length;
  const continuationToken = more ? encodeToken({ offset: offset + size, scope }) : undefined;
  return {
    status: 200,
    body: {
      totalCount: page.length,
      items: page,
      links: {
        self: link(ctx.url.pathname.replace(/^\/v1/i, '') + ctx.url.search),
        ...(continuationToken ? { next: link(nextUri(size), 'GET', [{ key: 'MS-ContinuationToken', value: continuationToken }]) } : {}),
      },
      ...(continuationToken ? { continuationToken } : {}),
      attributes: { objectType: 'Collection' },
    },
  };
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
        links: { self: link(`/invoices/${invoice.id}/lineitems?provider=onetime&invoicelineitemtype=billinglineitems`) },
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
  const invoice = ctx.runtime.world.invoices.find((i) => i.id.toUpperCase() === ctx.params.invoiceId.toUpperCase() && i.partnerTenantId === ctx.partner.tenantId);
  if (!invoice) throw notFound(0, `Invoice ${ctx.params.invoiceId} was not found.`);
  return invoice;
}

/** [start, end) of the calendar month that `period` names, on the sandbox clock. */
function periodRange(now: number, period: string): [number, number] {
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
      const invoices = ctx.runtime.world.invoices.filter((i) => i.partnerTenantId === ctx.partner.tenantId).sort((a, b) => b.invoiceDate - a.invoiceDate);
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
        .filter((l) => l.partnerTenantId === ctx.partner.tenantId && l.currency === currency && l.at >= from && l.at < to && l.at <= visibleUntil)
        .map((l) => l.item);
      const query = `provider=onetime&invoicelineitemtype=billinglineitems&currencycode=${currency}&period=${period}`;
      return seekPage(ctx, items, `unbilled:${currency}:${period}`, (size) => `/invoices/unbilled/lineitems?${query}&size=${size}&seekOperation=Next`);
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
    template: '/v1/invoices/{invoiceId}/lineitems',
    handle: (ctx) => {
      requireOneTimeBillingLines(ctx);
      if (queryValue(ctx.url, 'seekOperation') !== undefined) throw new ApiError(400, 0, 'Use /invoices/{id}/lineitems/OneTime/BillingLineItems?seekOperation=Next for the next page.');
      const invoice = invoiceOf(ctx);
      return seekPage(ctx, invoice.lines, `invoice:${invoice.id}`, (size) => `/invoices/${invoice.id}/lineitems/OneTime/BillingLineItems?size=${size}&seekOperation=Next`);
    },
  },
  {
    method: 'GET',
    template: '/v1/invoices/{invoiceId}/lineitems/OneTime/BillingLineItems',
    handle: (ctx) => {
      const invoice = invoiceOf(ctx);
      if (queryValue(ctx.url, 'seekOperation') === undefined) throw badRequest('seekOperation', "is required ('Next') on this continuation route");
      return seekPage(ctx, invoice.lines, `invoice:${invoice.id}`, (size) => `/invoices/${invoice.id}/lineitems/OneTime/BillingLineItems?size=${size}&seekOperation=Next`);
    },
  },
];
