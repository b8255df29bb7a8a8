import { seededAgreement } from './agreements';
import { createCatalog, type Country } from './catalog';
import { createRandom } from './random';
import type { Customer, Partner, World } from './state';

const COMPANIES: Array<{ name: string; domain: string; country: Country }> = [
  { name: 'Northwind Traders', domain: 'northwindtraders', country: 'US' },
  { name: 'Tailspin Toys UK', domain: 'tailspintoysuk', country: 'GB' },
  { name: 'Alpine Ski Haus GmbH', domain: 'alpineskihaus', country: 'DE' },
];

/** A fresh world for `seed`; partner tenant ids and customer ids are passed in so that a reset keeps
 * the credentials tests already hold. */
export function createWorld(seed: number, partners: Partner[], customerIds: Record<string, string[]>): World {
  const random = createRandom(seed ^ 0x5eed);
  const customers = new Map<string, Customer>();
  for (const partner of partners) {
    (customerIds[partner.tenantId] ?? []).forEach((id, index) => {
      const company = COMPANIES[index % COMPANIES.length];
      const prefix = partner === partners[0] ? '' : `${partner.name.split(' ')[0]} `;
      customers.set(id, {
        id,
        partnerTenantId: partner.tenantId,
        companyName: `${prefix}${company.name}`,
        domain: `${prefix.trim().toLowerCase()}${company.domain}.onmicrosoft.com`,
        country: company.country,
      });
    });
  }
  return {
    seed,
    random,
    catalog: createCatalog(random),
    partners,
    customers,
    carts: new Map(),
    orders: new Map(),
    subscriptions: new Map(),
    transitions: new Map(),
    recon: [],
    invoices: [],
    inventorySold: new Map(),
    agreements: [...customers.values()].map(seededAgreement),
    tenants: new Map(),
    qualifications: new Map(),
    gdapRelationships: new Map(),
    gdapAccessAssignments: new Map(),
    counters: { requests: {}, ordersPerCart: {}, replayedRequests: 0 },
  };
}

/**
 * `count` more customers of `partner` in `country`, each with its MCA accepted, for runs that need many (the
 * lifecycles bench). Numbered after the customers already there, so their domains (and users' names) stay unique;
 * a reset forgets them.
 */
export function addCustomers(world: World, partner: Partner, count: number, country: Country): Customer[] {
  const first = world.customers.size + 1;
  const added = Array.from({ length: count }, (_, i): Customer => {
    const n = first + i;
    return {
      id: world.random.guid(),
      partnerTenantId: partner.tenantId,
      companyName: `Customer ${n}`,
      domain: `customer${n}.onmicrosoft.com`,
      country,
    };
  });
  for (const customer of added) {
    world.customers.set(customer.id, customer);
    world.agreements.push(seededAgreement(customer));
  }
  return added;
}
