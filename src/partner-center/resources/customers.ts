/** The partner's customers, seek-paged (reference §2.4): every page, or one page at a time by its cursor. */
import { PartnerCenterError } from '../errors';
import { followPages, items, seekPage } from '../http/collections';
import type { HttpRequest, PartnerCenterConnection } from '../http/exchange';
import type { SeekCursor } from '../paging';
import { customerSchema, type Customer } from '../schemas';
import type { CustomerListQuery, Page, PartnerCenterClient, RequestOptions } from '../types';

const DEFAULT_CUSTOMER_PAGE_SIZE = 500;
const NO_MORE_CUSTOMERS = 2000;

export type CustomerOperations = Pick<PartnerCenterClient, 'listCustomers' | 'listCustomersPage'>;

export function customerOperations(connection: PartnerCenterConnection): CustomerOperations {
  return {
    listCustomers: (q, o) => items(followPages((cursor, options) => customerPage(connection, q, cursor, options), o)),
    listCustomersPage: (q, cursor, o) => customerPage(connection, q, cursor, o),
  };
}

/** One page of the partner's customers (the first without a cursor). */
async function customerPage(
  connection: PartnerCenterConnection,
  q?: CustomerListQuery,
  cursor?: SeekCursor,
  o?: RequestOptions,
): Promise<Page<Customer>> {
  const first: HttpRequest = {
    method: 'GET',
    path: '/customers',
    query: { size: q?.size ?? DEFAULT_CUSTOMER_PAGE_SIZE },
  };
  try {
    return await seekPage(connection, customerSchema, first, cursor, o);
  } catch (err) {
    // Microsoft's own sample reads a 400 with code 2000 on a next page as "no more records" (reference §2.4).
    if (
      cursor !== undefined &&
      err instanceof PartnerCenterError &&
      err.status === 400 &&
      err.code === NO_MORE_CUSTOMERS
    )
      return { items: [] };
    throw err;
  }
}
