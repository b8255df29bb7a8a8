/**
 * Each workflow run gets its own copy of every module the workflow code loads (src/workflows/common/schemas.ts says
 * why that matters): what the workflows import at the top must stay free of zod, whose schemas cost a cached run
 * megabytes. The schemas are loaded on demand, and only then.
 */
describe('workflow modules', () => {
  afterEach(() => {
    jest.dontMock('zod');
    jest.resetModules();
  });

  it('load without zod', async () => {
    await jest.isolateModulesAsync(async () => {
      jest.doMock('zod', () => {
        throw new Error('zod was loaded by a module the workflows import at the top');
      });
      const workflows: Record<string, unknown> = await import('../../../src/workflows');
      expect(Object.keys(workflows).sort()).toEqual([
        'assignLicences',
        'auditBackfill',
        'changeSubscription',
        'deliverWebhookEvent',
        'onboardCustomer',
        'partnerCenterEvent',
        'purchaseSubscription',
        'quotePurchase',
        'reconcileBilling',
        'subscriptionLifecycle',
      ]);
    });
  });

  it('load the schemas when a run asks for them', async () => {
    await jest.isolateModulesAsync(async () => {
      const { purchaseSchemas, subscriptionSchemas, billingSchemas, lifecycleSchemas } =
        await import('../../../src/workflows/common/schemas');
      expect(purchaseSchemas().validatePurchaseRequest({}).ok).toBe(false);
      expect(subscriptionSchemas().validateSubscriptionChangeRequest({}).ok).toBe(false);
      expect(billingSchemas().validateReconcileRequest({}).ok).toBe(false);
      expect(lifecycleSchemas().validateLifecycleInput({}).ok).toBe(false);
    });
  });
});
