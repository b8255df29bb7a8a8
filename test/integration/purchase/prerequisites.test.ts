import { line, offers, purchaseRequest, recordHistory, startRig, workflowFailure, type PurchaseRig } from './harness';

/**
 * Purchase prerequisites against the sandbox (docs/sandbox.md, Purchase prerequisites): each is checked before the
 * cart, a refusal names its rule and leaves no cart behind, and a confirmation is made once however often retried.
 */

let rig: PurchaseRig;
/** The sandbox's seeded customers: in the US, Great Britain and Germany. */
let customerA: string;
let customerB: string;
let customerC: string;
beforeAll(async () => {
  rig = await startRig();
  [customerA, customerB, customerC] = rig.sandbox.customerIds as [string, string, string];
});
afterAll(async () => {
  await rig?.close();
});
beforeEach(async () => {
  await rig.sandbox.control.reset();
});

const CARTS = 'POST /v1/customers/{customerId}/carts';
const CONFIRMS = 'POST /v1/customers/{customerId}/agreements';
const signatory = { firstName: 'Dana', lastName: 'Lopez', email: 'dana.lopez@example.com' };

describe('Microsoft Customer Agreement', () => {
  it('is checked before the cart: missing and not given → AgreementRequired naming the customer, no cart', async () => {
    await rig.sandbox.control.withdrawAgreements(customerA);
    await rig.withWorker(async ({ start }) => {
      const handle = await start(purchaseRequest(customerA, [line(offers.businessBasic, 2)]));
      const failure = await workflowFailure(handle);
      expect(failure.type).toBe('AgreementRequired');
      expect(failure.message).toContain(customerA);
      expect(failure.message).toContain("give 'agreement'");
      await recordHistory('purchase-agreement-required', handle);
    });
    const counters = await rig.sandbox.control.counters();
    expect(counters.requests[CARTS]).toBeUndefined();
  });

  it('given with an App-only worker → AgreementRequired saying confirming needs App+User, nothing posted', async () => {
    await rig.sandbox.control.withdrawAgreements(customerB);
    await rig.withWorker(async ({ start }) => {
      const handle = await start(purchaseRequest(customerB, [line(offers.businessBasic, 2)], { agreement: signatory }));
      const failure = await workflowFailure(handle);
      expect(failure.type).toBe('AgreementRequired');
      expect(failure.message).toMatch(/needs App\+User tokens: this worker uses App-only/);
    });
    const counters = await rig.sandbox.control.counters();
    expect(counters.requests[CONFIRMS]).toBeUndefined();
    expect(counters.requests[CARTS]).toBeUndefined();
  });

  it('given with App+User → confirmed once (a lost answer retried does not confirm twice), then bought', async () => {
    await rig.sandbox.control.withdrawAgreements(customerC);
    // The first confirmation goes through but its answer is lost: the retry must find it on record, not post again.
    await rig.sandbox.control.addFault({
      method: 'POST',
      path: `/v1/customers/${customerC}/agreements`,
      kind: 'commit-then-drop',
    });
    await rig.withWorker(
      async ({ start }) => {
        const handle = await start(
          purchaseRequest(customerC, [line(offers.businessBasic, 2)], {
            country: 'DE',
            agreement: { ...signatory, phoneNumber: '+1 425 555 0100', dateAgreed: '2026-11-30' },
          }),
        );
        const result = await handle.result();
        expect(result.status).toBe('completed');
        expect(result.subscriptions).toHaveLength(1);
        await recordHistory('purchase-agreement-confirmed', handle);
      },
      { appPlusUser: true },
    );
    const counters = await rig.sandbox.control.counters();
    expect(counters.agreementsPerCustomer[customerC]).toBe(1);
    expect(counters.requests[CONFIRMS]).toBe(1);
  });

  it('already on record → bought without confirming anything', async () => {
    await rig.withWorker(async ({ start }) => {
      const handle = await start(purchaseRequest(customerA, [line(offers.businessBasic, 1)], { agreement: signatory }));
      expect((await handle.result()).status).toBe('completed');
    });
    const counters = await rig.sandbox.control.counters();
    expect(counters.requests[CONFIRMS]).toBeUndefined();
    expect(counters.agreementsPerCustomer[customerA]).toBe(1);
  });
});

/** Enforces an attestation (packages/partner-center-sandbox/src/catalog.ts). */
const windowsVda = { productId: 'CFQ7TTC0HD32', skuId: '0001' };
/** Enforces the partner-of-record attestation (attestation type PartnerOnRecord). */
const businessCentral = { productId: 'CFQ7TTC0LH0Z', skuId: '0001' };
/** The sandbox's Business Basic promotions (packages/partner-center-sandbox/src/promotions.ts). */
const TEN_OFF = '39NFJQT1Q5KL:0001:39NFJQT1BB10';
const TWENTY_OFF_UP_TO_10 = '39NFJQT1Q5KL:0001:39NFJQT1BB20';

describe('attestation', () => {
  it('an enforcing offer without attestationAccepted → AttestationRequired naming the item and the text, no cart', async () => {
    await rig.withWorker(async ({ start }) => {
      const handle = await start(purchaseRequest(customerA, [line(offers.businessBasic, 1), line(windowsVda, 3)]));
      const failure = await workflowFailure(handle);
      expect(failure.type).toBe('AttestationRequired');
      expect(failure.message).toMatch(/^items\[1\]: CFQ7TTC0HD32:0001:/);
      expect(failure.message).toContain('qualifying Windows Pro device');
      expect(failure.message).toContain('attestationAccepted: true');
    });
    expect((await rig.sandbox.control.counters()).requests[CARTS]).toBeUndefined();
  });

  it('accepted → bought', async () => {
    await rig.withWorker(async ({ start }) => {
      const handle = await start(purchaseRequest(customerA, [line(windowsVda, 3, { attestationAccepted: true })]));
      const result = await handle.result();
      expect(result.status).toBe('completed');
      expect(result.subscriptions[0]!.catalogItemId).toMatch(/^CFQ7TTC0HD32:0001:/);
    });
  });

  it('partner of record: without partnerOnRecordAttestationAccepted → AttestationRequired naming it; the customer’s attestation does not do', async () => {
    await rig.withWorker(async ({ start }) => {
      const handle = await start(
        purchaseRequest(customerA, [
          line(offers.businessBasic, 1),
          line(businessCentral, 2, { attestationAccepted: true }),
        ]),
      );
      const failure = await workflowFailure(handle);
      expect(failure.type).toBe('AttestationRequired');
      expect(failure.message).toMatch(/^items\[1\]: CFQ7TTC0LH0Z:0001:\S+ requires the partner-of-record attestation/);
      expect(failure.message).toContain('partnerOnRecordAttestationAccepted: true');
      expect(failure.message).toContain('partner of record for this purchase');
      expect(failure.details).toEqual([
        expect.objectContaining({ item: 1, field: 'partnerOnRecordAttestationAccepted' }),
      ]);
      await recordHistory('purchase-partner-on-record-attestation-required', handle);
    });
    expect((await rig.sandbox.control.counters()).requests[CARTS]).toBeUndefined();
  });

  it('partner of record accepted → given on the cart (the sandbox refuses the line with 10012 otherwise) and bought', async () => {
    await rig.withWorker(async ({ start }) => {
      const handle = await start(
        purchaseRequest(customerA, [
          line(offers.businessBasic, 1),
          line(businessCentral, 2, { partnerOnRecordAttestationAccepted: true }),
        ]),
      );
      const result = await handle.result();
      expect(result.status).toBe('completed');
      expect(result.lineErrors).toEqual([]);
      expect(result.subscriptions.map((s) => s.catalogItemId)).toEqual(
        expect.arrayContaining([expect.stringMatching(/^CFQ7TTC0LH0Z:0001:/)]),
      );
    });
  });
});

describe('promotions', () => {
  it('an ineligible promotion → PromotionNotEligible with each reason and the seat figures, no cart', async () => {
    await rig.withWorker(async ({ start }) => {
      const handle = await start(
        purchaseRequest(customerA, [line(offers.businessBasic, 12, { promotionId: TWENTY_OFF_UP_TO_10 })]),
      );
      const failure = await workflowFailure(handle);
      expect(failure.type).toBe('PromotionNotEligible');
      expect(failure.message).toContain(`items[0] ${TWENTY_OFF_UP_TO_10}`);
      expect(failure.message).toMatch(/SeatCount: .*\(min 1, max 10, available 10\)/);
      expect(failure.details).toEqual([
        { item: 0, promotionId: TWENTY_OFF_UP_TO_10, reasons: [expect.stringContaining('SeatCount')] },
      ]);
    });
    expect((await rig.sandbox.control.counters()).requests[CARTS]).toBeUndefined();
  });

  it("onIneligiblePromotion 'buyWithout' buys at the list price and reports why", async () => {
    await rig.withWorker(async ({ start }) => {
      const handle = await start(
        purchaseRequest(customerA, [line(offers.businessBasic, 12, { promotionId: TWENTY_OFF_UP_TO_10 })], {
          onIneligiblePromotion: 'buyWithout',
        }),
      );
      const result = await handle.result();
      expect(result.status).toBe('completed');
      expect(result.promotions).toEqual([]);
      expect(result.promotionsNotApplied).toEqual([
        { item: 0, promotionId: TWENTY_OFF_UP_TO_10, reasons: [expect.stringMatching(/SeatCount/)] },
      ]);
    });
  });

  it("'best' applies the eligible promotion with the largest discount, and the next one once it is used up", async () => {
    await rig.withWorker(async ({ start }) => {
      const small = await start(purchaseRequest(customerA, [line(offers.businessBasic, 4, { promotionId: 'best' })]));
      const first = await small.result();
      expect(first.promotions).toEqual([{ item: 0, promotionId: TWENTY_OFF_UP_TO_10 }]);
      await recordHistory('purchase-best-promotion', small);
      // 4 of the 20% promotion's 10 seats are taken: 8 more no longer fit, so the 10% one is the best left.
      const more = await start(purchaseRequest(customerA, [line(offers.businessBasic, 8, { promotionId: 'best' })]));
      expect((await more.result()).promotions).toEqual([{ item: 0, promotionId: TEN_OFF }]);
    });
  });
});

describe('co-terminosity', () => {
  it('alignWith a subscription ends the new one on its end date; calendarMonth on a month end', async () => {
    await rig.withWorker(async ({ start }) => {
      const base = await (await start(purchaseRequest(customerA, [line(offers.businessBasic, 1)]))).result();
      const existing = base.subscriptions[0]!;
      // Forty days on, a one-year term would end forty days after the existing one: align it instead.
      await rig.sandbox.control.advanceClock(40 * 24 * 3_600_000);
      const aligned = await start(
        purchaseRequest(customerA, [
          line(offers.office365E3, 2, { alignWith: { subscriptionId: existing.id } }),
          line(offers.teamsEssentials, 2, { alignWith: 'calendarMonth' }),
        ]),
      );
      const result = await aligned.result();
      const byOffer = (productId: string) => result.subscriptions.find((s) => s.catalogItemId.startsWith(productId))!;
      expect(byOffer(offers.office365E3.productId).commitmentEndDate).toBe(existing.commitmentEndDate);
      const monthEnd = new Date(byOffer(offers.teamsEssentials.productId).commitmentEndDate!);
      expect(new Date(monthEnd.getTime() + 24 * 3_600_000).getUTCDate()).toBe(1);
      await recordHistory('purchase-co-termed', aligned);
    });
  });

  it('a customTermEndDate Partner Center does not allow → InvalidPurchaseRequest naming the field and the allowed dates, no cart', async () => {
    const now = new Date(await rig.sandbox.control.now());
    const midMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 15)).toISOString().slice(0, 10);
    await rig.withWorker(async ({ start }) => {
      const handle = await start(
        purchaseRequest(customerA, [line(offers.businessBasic, 1, { customTermEndDate: midMonth })]),
      );
      const failure = await workflowFailure(handle);
      expect(failure.type).toBe('InvalidPurchaseRequest');
      expect(failure.message).toContain('items[0].customTermEndDate must be a month end');
      expect(failure.message).toMatch(/allowed: \d{4}-\d{2}-\d{2}/);
    });
    expect((await rig.sandbox.control.counters()).requests[CARTS]).toBeUndefined();
  });

  it('alignWith a subscription that is not the customer’s → InvalidPurchaseRequest naming alignWith.subscriptionId', async () => {
    await rig.withWorker(async ({ start }) => {
      const handle = await start(
        purchaseRequest(customerA, [
          line(offers.businessBasic, 1, { alignWith: { subscriptionId: '00000000-0000-4000-8000-000000000000' } }),
        ]),
      );
      const failure = await workflowFailure(handle);
      expect(failure.type).toBe('InvalidPurchaseRequest');
      expect(failure.message).toContain('items[0].alignWith.subscriptionId');
    });
  });
});

/** Business Standard Trial: 25 seats, one month, billing cycle 'none'. */
const standardTrial = { productId: 'CFQ7TTC0LDPB', skuId: '0002' };

describe('trials', () => {
  it("billingCycle 'none' buys a 30-day trial, reported in trials; a second one for the customer is refused", async () => {
    await rig.withWorker(async ({ start }) => {
      const trialLine = line(standardTrial, 25, { termDuration: 'P1M', billingCycle: 'none' });
      const handle = await start(purchaseRequest(customerA, [trialLine]));
      const result = await handle.result();
      expect(result.status).toBe('completed');
      const [subscription] = result.subscriptions;
      expect(subscription).toMatchObject({ quantity: 25, isTrial: true, billingCycle: 'none' });
      expect(result.trials).toEqual([
        {
          subscriptionId: subscription!.id,
          catalogItemId: subscription!.catalogItemId,
          quantity: 25,
          trialEndDate: subscription!.commitmentEndDate,
        },
      ]);
      await recordHistory('purchase-trial', handle);

      const again = await workflowFailure(await start(purchaseRequest(customerA, [trialLine])));
      expect(again.type).toBe('CartRejected');
      expect(again.message).toContain('one trial per customer per offer');
    });
  });

  it('a trial of another seat count than its fixed one → InvalidPurchaseRequest naming the quantity', async () => {
    await rig.withWorker(async ({ start }) => {
      const handle = await start(
        purchaseRequest(customerA, [line(standardTrial, 5, { termDuration: 'P1M', billingCycle: 'none' })]),
      );
      const failure = await workflowFailure(handle);
      expect(failure.type).toBe('InvalidPurchaseRequest');
      expect(failure.message).toContain('items[0].quantity must be within 25..25');
    });
  });
});

/** Bases of Microsoft 365 Copilot (below). */
const businessStandard = { productId: 'CFQ7TTC0LDPB', skuId: '0001' };
/** An add-on sold in 10 seats at least (10019 below that). */
const copilot = { productId: 'CFQ7TTC0MM8R', skuId: '0001' };

describe('add-ons', () => {
  it('bought with their base, onto an existing base, and refused per line when the base has too few seats', async () => {
    await rig.withWorker(async ({ start }) => {
      const together = await (
        await start(purchaseRequest(customerA, [line(offers.businessBasic, 5), line(offers.teamsPremium, 5)]))
      ).result();
      expect(together.status).toBe('completed');
      expect(together.subscriptions).toHaveLength(2);

      const onto = await (await start(purchaseRequest(customerA, [line(offers.teamsPremium, 3)]))).result();
      expect(onto.status).toBe('completed');

      const tooMany = await (
        await start(
          purchaseRequest(customerB, [line(offers.businessBasic, 2), line(offers.teamsPremium, 5)], { country: 'GB' }),
        )
      ).result();
      expect(tooMany.status).toBe('partial');
      expect(tooMany.subscriptions).toHaveLength(1);
      expect(tooMany.lineErrors).toEqual([
        { item: 1, code: 10018, description: expect.stringContaining('exceed the 2 seats of its base products') },
      ]);
      expect(tooMany.lineErrors[0]!.description).toContain('CFQ7TTC0LH18:0001');
    });
  });

  it('fewer seats than the add-on’s minimum → line error 10019 saying how many are needed', async () => {
    await rig.withWorker(async ({ start }) => {
      const result = await (
        await start(purchaseRequest(customerA, [line(businessStandard, 20), line(copilot, 3)]))
      ).result();
      expect(result.status).toBe('partial');
      expect(result.subscriptions).toHaveLength(1);
      expect(result.lineErrors).toEqual([
        {
          item: 1,
          code: 10019,
          description: expect.stringContaining('at least 10 seats; 3 were asked for: buy 7 more'),
        },
      ]);
    });
  });

  it('without a base owned or in the request → line error 400041 naming the bases before the cart, which holds the rest', async () => {
    await rig.withWorker(async ({ start }) => {
      // Business Basic is a base of Teams Premium, not of Copilot.
      const handle = await start(
        purchaseRequest(customerB, [line(offers.businessBasic, 2), line(copilot, 10)], { country: 'GB' }),
      );
      const result = await handle.result();
      expect(result.status).toBe('partial');
      expect(result.subscriptions).toHaveLength(1);
      expect(result.lineErrors).toEqual([
        { item: 1, code: 400041, description: expect.stringContaining('checked before the cart') },
      ]);
      expect(result.lineErrors[0]!.description).toContain('CFQ7TTC0LDPB:0001');
      await recordHistory('purchase-add-on-base-missing', handle);
    });
    const counters = await rig.sandbox.control.counters();
    // The line never reached Partner Center: one cart, no update to drop a refused line.
    expect(counters.requests[CARTS]).toBe(1);
    expect(counters.requests['PUT /v1/customers/{customerId}/carts/{cartId}']).toBeUndefined();
  });
});
