import { log, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { PcCustomerId, PcOrderIds, PcStep, PcSubscriptionIds } from '../common/search-attributes';
import { describeProgress } from './rules';
import type { PurchaseStatus, PurchaseStep } from './types';

/**
 * Where a purchase stands, as its status query answers: every fact is also set where operators look for it (search
 * attributes, the Temporal UI's current details, the log), in the same place it is recorded.
 */
export class PurchaseProgress {
  private readonly status: PurchaseStatus = {
    step: 'validating',
    orderIds: [],
    subscriptionIds: [],
    updatedAt: new Date().toISOString(),
  };
  private knownCustomerId?: string;

  get step(): PurchaseStep {
    return this.status.step;
  }

  get customerId(): string | undefined {
    return this.knownCustomerId;
  }

  get cartId(): string | undefined {
    return this.status.cartId;
  }

  get subscriptionIds(): readonly string[] {
    return this.status.subscriptionIds;
  }

  snapshot(): PurchaseStatus {
    return { ...this.status, orderIds: [...this.status.orderIds], subscriptionIds: [...this.status.subscriptionIds] };
  }

  setCustomer(customerId: string): void {
    this.knownCustomerId = customerId;
    upsertSearchAttributes([{ key: PcCustomerId, value: customerId }]);
  }

  setCart(cartId: string): void {
    this.status.cartId = cartId;
    this.show();
  }

  setOrders(orderIds: string[]): void {
    this.status.orderIds = orderIds;
    upsertSearchAttributes([{ key: PcOrderIds, value: this.status.orderIds }]);
  }

  setSubscriptions(subscriptionIds: string[]): void {
    this.status.subscriptionIds = subscriptionIds;
    upsertSearchAttributes([{ key: PcSubscriptionIds, value: this.status.subscriptionIds }]);
    this.show();
  }

  setStep(step: PurchaseStep): void {
    this.status.step = step;
    this.status.updatedAt = new Date().toISOString();
    upsertSearchAttributes([{ key: PcStep, value: step }]);
    this.show();
    log.info('purchase step', { step, cartId: this.status.cartId, orderIds: this.status.orderIds });
  }

  noteError(message: string): void {
    this.status.lastError = message;
    this.status.updatedAt = new Date().toISOString();
    this.show();
  }

  private show(): void {
    setCurrentDetails(describeProgress({ ...this.status, customerId: this.knownCustomerId }));
  }
}
