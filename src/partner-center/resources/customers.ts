/** The partner's customers, seek-paged (reference §2.4): every page, or one page at a time by its cursor. */
import { isPartnerCenterError, PartnerCenterError } from '../errors';
import { followPages, items, seekPage } from '../http/collections';
import { pathSegment, type HttpRequest, type PartnerCenterConnection } from '../http/exchange';
import { getAnyCaseItems, getJson, requestJson, strictBody } from '../http/json';
import { send } from '../http/send';
import type { SeekCursor } from '../paging';
import {
  anyCase,
  collectionSchema,
  createdCustomerSchema,
  customerCreationInputSchema,
  customerQualificationSchema,
  customerSchema,
  relationshipRequestSchema,
  type Customer,
} from '../schemas';
import type { CustomerListQuery, Page, PartnerCenterClient, RequestOptions } from '../types';
import { z } from 'zod';

const DEFAULT_CUSTOMER_PAGE_SIZE = 500;
const NO_MORE_CUSTOMERS = 2000;

export type CustomerOperations = Pick<
  PartnerCenterClient,
  | 'listCustomers'
  | 'listCustomersPage'
  | 'isDomainTaken'
  | 'createCustomer'
  | 'findCustomersByDomain'
  | 'getCustomer'
  | 'getRelationshipRequestUrl'
  | 'setCustomerQualification'
  | 'listCustomerQualifications'
>;

export function customerOperations(connection: PartnerCenterConnection): CustomerOperations {
  const customerPath = (customerId: string) => `/customers/${pathSegment(customerId)}`;
  return {
    listCustomers: (q, o) => items(followPages((cursor, options) => customerPage(connection, q, cursor, options), o)),
    listCustomersPage: (q, cursor, o) => customerPage(connection, q, cursor, o),
    isDomainTaken: (domain, o) => isDomainTaken(connection, domain, o),
    createCustomer: (customer, o) =>
      requestJson(
        connection,
        createdCustomerSchema,
        { method: 'POST', path: '/customers', body: strictBody(customerCreationInputSchema, customer, 'customer') },
        o,
      ),
    findCustomersByDomain: async (domain, o) => {
      const filter = JSON.stringify({ Field: 'Domain', Value: domain, Operator: 'starts_with' });
      return getAnyCaseItems(connection, customerSchema, { path: '/customers', query: { size: 100, filter } }, o);
    },
    getCustomer: (customerId, o) => getJson(connection, anyCase(customerSchema), { path: customerPath(customerId) }, o),
    getRelationshipRequestUrl: async (o) =>
      (await getJson(connection, relationshipRequestSchema, { path: '/customers/relationshiprequests' }, o)).url,
    setCustomerQualification: (customerId, qualification, o) =>
      requestJson(
        connection,
        customerQualificationSchema,
        {
          method: 'POST',
          path: `${customerPath(customerId)}/qualifications`,
          query: { code: qualification },
          body: { qualification },
        },
        o,
      ),
    listCustomerQualifications: async (customerId, o) => {
      const answer = await getJson(
        connection,
        z.union([z.array(customerQualificationSchema), anyCase(collectionSchema(customerQualificationSchema))]),
        { path: `${customerPath(customerId)}/qualifications` },
        o,
      );
      return Array.isArray(answer) ? answer : answer.items;
    },
  };
}

/** `HEAD /v1/domains/{domain}`: 200 when a tenant holds the domain, 404 when it is free. */
async function isDomainTaken(connection: PartnerCenterConnection, domain: string, o?: RequestOptions) {
  try {
    await send(connection, { method: 'HEAD', path: `/domains/${pathSegment(domain)}` }, o);
    return true;
  } catch (err) {
    if (isPartnerCenterError(err) && err.kind === 'not-found') return false;
    throw err;
  }
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
