/**
 * Invoices (offset-paged, reference §7), an invoice's statement PDF, and the reconciliation line items of an
 * invoice or of the unbilled period (seek-paged).
 */
import { PartnerCenterNotFoundError, PartnerCenterResponseShapeError, PartnerCenterUnauthorizedError } from '../errors';
import { items, seekPage, seekPages } from '../http/collections';
import { pathSegment, type HttpRequest, type PartnerCenterConnection } from '../http/exchange';
import { getJson, requestJson } from '../http/json';
import { send } from '../http/send';
import { nextOffset } from '../paging';
import { collectionSchema, invoiceSchema, oneTimeInvoiceLineItemSchema, type Invoice } from '../schemas';
import type { InvoicePage, PartnerCenterClient, RequestOptions, UnbilledReconciliationQuery } from '../types';

const DEFAULT_RECON_PAGE_SIZE = 2000;
const DEFAULT_INVOICE_PAGE_SIZE = 100;

export type InvoiceOperations = Pick<
  PartnerCenterClient,
  | 'unbilledReconciliationLineItems'
  | 'unbilledReconciliationLineItemsPage'
  | 'invoiceReconciliationLineItems'
  | 'listInvoices'
  | 'listInvoicesPage'
  | 'getInvoice'
  | 'getInvoiceStatement'
>;

export function invoiceOperations(connection: PartnerCenterConnection): InvoiceOperations {
  return {
    unbilledReconciliationLineItems: (q, o) =>
      items(seekPages(connection, oneTimeInvoiceLineItemSchema, unbilledLineItems(q), o)),
    unbilledReconciliationLineItemsPage: (q, cursor, o) =>
      seekPage(connection, oneTimeInvoiceLineItemSchema, unbilledLineItems(q), cursor, o),
    invoiceReconciliationLineItems: (invoiceId, q, o) =>
      items(seekPages(connection, oneTimeInvoiceLineItemSchema, invoiceLineItems(invoiceId, q?.size), o)),
    listInvoices: (q, o) => items(invoicePages(connection, q?.size ?? DEFAULT_INVOICE_PAGE_SIZE, q?.offset ?? 0, o)),
    listInvoicesPage: (q, o) => invoicePage(connection, q?.size ?? DEFAULT_INVOICE_PAGE_SIZE, q?.offset ?? 0, o),
    getInvoice: (invoiceId, o) => getInvoice(connection, invoiceId, o),
    getInvoiceStatement: (invoiceId, o) => getInvoiceStatement(connection, invoiceId, o),
  };
}

/** The first page of the unbilled new-commerce reconciliation lines (reference §7). */
function unbilledLineItems(q: UnbilledReconciliationQuery): HttpRequest {
  return {
    method: 'GET',
    path: '/invoices/unbilled/lineitems',
    query: {
      provider: 'onetime',
      invoicelineitemtype: 'billinglineitems',
      currencycode: q.currencyCode,
      period: q.period,
      size: q.size ?? DEFAULT_RECON_PAGE_SIZE,
    },
  };
}

/** The first page of an invoice's new-commerce reconciliation lines. */
function invoiceLineItems(invoiceId: string, size = DEFAULT_RECON_PAGE_SIZE): HttpRequest {
  return {
    method: 'GET',
    path: `/invoices/${pathSegment(invoiceId)}/lineitems`,
    query: { provider: 'onetime', invoicelineitemtype: 'billinglineitems', size },
  };
}

async function invoicePage(
  connection: PartnerCenterConnection,
  size: number,
  offset: number,
  o?: RequestOptions,
): Promise<InvoicePage> {
  const request: HttpRequest = { method: 'GET', path: '/invoices', query: { size, offset } };
  const page = await requestJson(connection, collectionSchema(invoiceSchema), request, o);
  const next = nextOffset(offset, size, page.items.length);
  return {
    items: page.items,
    ...(page.totalCount !== undefined ? { totalCount: page.totalCount } : {}),
    ...(next !== undefined ? { nextOffset: next } : {}),
  };
}

/** Yields each page's invoices from `firstOffset` on; only the first page reuses the caller's MS-RequestId. */
async function* invoicePages(
  connection: PartnerCenterConnection,
  size: number,
  firstOffset: number,
  o?: RequestOptions,
): AsyncGenerator<Invoice[]> {
  let offset: number | undefined = firstOffset;
  let options = o;
  while (offset !== undefined) {
    const page = await invoicePage(connection, size, offset, options);
    yield page.items;
    offset = page.nextOffset;
    options = o && { ...o, requestId: undefined };
  }
}

/** `GET /v1/invoices/{id}` is App+User only: an App-only client finds the invoice in the list instead. */
async function getInvoice(
  connection: PartnerCenterConnection,
  invoiceId: string,
  o?: RequestOptions,
): Promise<Invoice> {
  if (connection.tokens.mode === 'app+user') {
    return getJson(connection, invoiceSchema, { path: `/invoices/${pathSegment(invoiceId)}` }, o);
  }
  for await (const invoices of invoicePages(connection, DEFAULT_INVOICE_PAGE_SIZE, 0, o)) {
    const found = invoices.find((i) => i.id.toUpperCase() === invoiceId.toUpperCase());
    if (found !== undefined) return found;
  }
  throw new PartnerCenterNotFoundError({ status: 404, description: `Invoice ${invoiceId} was not found` });
}

async function getInvoiceStatement(
  connection: PartnerCenterConnection,
  invoiceId: string,
  o?: RequestOptions,
): Promise<Buffer> {
  if (connection.tokens.mode !== 'app+user')
    throw new PartnerCenterUnauthorizedError({
      description: `The statement PDF of invoice ${invoiceId} is served to App+User tokens only; this client is App-only (set PARTNER_CENTER_REFRESH_TOKEN for App+User, the secure application model)`,
    });
  const path = `/invoices/${pathSegment(invoiceId)}/documents/statement`;
  const response = await send(connection, { method: 'GET', path, binary: true }, o);
  if (!Buffer.isBuffer(response.body))
    throw new PartnerCenterResponseShapeError({ description: `No document in the answer to ${path}` });
  return response.body;
}
