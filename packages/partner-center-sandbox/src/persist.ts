import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type {
  Cart,
  Counters,
  Customer,
  CustomerAgreement,
  CustomerQualification,
  CustomerTenant,
  GdapAccessAssignment,
  GdapRelationship,
  Invoice,
  Order,
  ReconLine,
  Subscription,
  Transition,
  World,
} from './state';

/** Optional JSON persistence (`dataFile`): the world's mutable state, the random generator's
 * position and the clock offset, written after every change and read back at start. */

const snapshotSchema = z.object({
  version: z.literal(1),
  seed: z.number(),
  clockOffsetMs: z.number(),
  randomState: z.number(),
  availabilityIds: z.array(z.string()),
  retiredAvailabilityIds: z.array(z.string()),
  carts: z.array(z.custom<Cart>()),
  orders: z.array(z.custom<Order>()),
  subscriptions: z.array(z.custom<Subscription>()),
  /** Optional: files written before transitions and agreements were modelled still load (agreements re-seeded). */
  transitions: z.array(z.custom<Transition>()).optional(),
  agreements: z.array(z.custom<CustomerAgreement>()).optional(),
  /** Optional: files written before customers' tenants were modelled still load (tenants seeded on first use). */
  tenants: z.array(z.custom<CustomerTenant>()).optional(),
  /** Optional (files written before onboarding was modelled): customers beyond the seeded ones, and their onboarding. */
  customers: z.array(z.custom<Customer>()).optional(),
  qualifications: z.array(z.custom<CustomerQualification>()).optional(),
  gdapRelationships: z.array(z.custom<GdapRelationship>()).optional(),
  gdapAccessAssignments: z.array(z.custom<GdapAccessAssignment>()).optional(),
  recon: z.array(z.custom<ReconLine>()),
  invoices: z.array(z.custom<Invoice>()),
  inventorySold: z.array(z.tuple([z.string(), z.number()])),
  counters: z.custom<Counters>(),
});
export type Snapshot = z.infer<typeof snapshotSchema>;

export function saveWorld(file: string, world: World, clockOffsetMs: number): void {
  const snapshot: Snapshot = {
    version: 1,
    seed: world.seed,
    clockOffsetMs,
    randomState: world.random.snapshot(),
    availabilityIds: world.catalog.availabilities.map((a) => a.id),
    retiredAvailabilityIds: [...world.catalog.retiredAvailabilityIds],
    carts: [...world.carts.values()].map((cart) => ({ ...cart, checkoutInFlight: false })),
    orders: [...world.orders.values()],
    subscriptions: [...world.subscriptions.values()],
    transitions: [...world.transitions.values()],
    agreements: world.agreements,
    tenants: [...world.tenants.values()],
    // Every customer (seeded ones come back the same); a created customer's one-time password was never kept.
    customers: [...world.customers.values()],
    qualifications: [...world.qualifications.values()],
    gdapRelationships: [...world.gdapRelationships.values()],
    gdapAccessAssignments: [...world.gdapAccessAssignments.values()],
    recon: world.recon,
    invoices: world.invoices,
    inventorySold: [...world.inventorySold.entries()],
    counters: world.counters,
  };
  // Write-then-rename so a crash never leaves half a file behind.
  writeFileSync(`${file}.tmp`, JSON.stringify(snapshot));
  renameSync(`${file}.tmp`, file);
}

/** The saved snapshot, or undefined when the file does not exist yet. */
export function readSnapshot(file: string): Snapshot | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = snapshotSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(
      `The sandbox data file ${file} is not a sandbox snapshot (version 1); delete it or choose another --data-file.`,
    );
  return parsed.data;
}

/** Puts a snapshot's state into a world freshly created with the snapshot's seed. */
export function restoreWorld(world: World, snapshot: Snapshot): void {
  world.random.restore(snapshot.randomState);
  snapshot.availabilityIds.forEach((id, index) => {
    const availability = world.catalog.availabilities[index];
    if (availability) availability.id = id;
  });
  for (const id of snapshot.retiredAvailabilityIds) world.catalog.retiredAvailabilityIds.add(id);
  world.carts = new Map(snapshot.carts.map((c) => [c.id, c]));
  world.orders = new Map(snapshot.orders.map((o) => [o.id, o]));
  world.subscriptions = new Map(snapshot.subscriptions.map((s) => [s.id, s]));
  world.transitions = new Map((snapshot.transitions ?? []).map((t) => [t.id, t]));
  if (snapshot.agreements) world.agreements = snapshot.agreements;
  world.tenants = new Map((snapshot.tenants ?? []).map((t) => [t.customerId, t]));
  for (const customer of snapshot.customers ?? []) world.customers.set(customer.id, customer);
  world.qualifications = new Map((snapshot.qualifications ?? []).map((q) => [q.customerId, q]));
  world.gdapRelationships = new Map((snapshot.gdapRelationships ?? []).map((r) => [r.id, r]));
  world.gdapAccessAssignments = new Map((snapshot.gdapAccessAssignments ?? []).map((a) => [a.id, a]));
  world.recon = snapshot.recon;
  world.invoices = snapshot.invoices;
  world.inventorySold = new Map(snapshot.inventorySold);
  world.counters = snapshot.counters;
}
