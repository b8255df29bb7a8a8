import { ApplicationFailure } from '@temporalio/common';
import type { PartnerCenterClient } from '../../partner-center';
import { purchaseFailureTypes } from '../../workflows/purchase/failures';
import type { AgreementOutcome, CheckAgreementInput, ConfirmAgreementInput } from '../../workflows/purchase/types';
import { toActivityFailure } from '../common/failures';
import { changeOptions, readOptions } from '../common/request-ids';
import type { PurchaseActivityDeps } from './deps';

/** The customer's Microsoft Customer Agreement, which every new-commerce purchase needs on record (a prerequisite). */

export const MCA = 'MicrosoftCustomerAgreement';

/**
 * Is the customer's MCA acceptance on record? Missing → `AgreementRequired`, unless the request can confirm it
 * (then the workflow confirms it right before the cart); confirming needs App+User tokens, so App-only says so.
 */
export async function checkCustomerAgreement(
  deps: Pick<PurchaseActivityDeps, 'partnerCenter' | 'tokenMode'>,
  input: CheckAgreementInput,
): Promise<AgreementOutcome> {
  try {
    const onRecord = await mcaOnRecord(deps.partnerCenter, input.customerId);
    if (onRecord !== undefined) {
      return {
        outcome: 'on-record',
        ...(onRecord.dateAgreed !== undefined ? { dateAgreed: onRecord.dateAgreed } : {}),
      };
    }
  } catch (err) {
    throw toActivityFailure(err, purchaseFailureTypes.agreementRequired);
  }
  const missing = `Customer ${input.customerId} has not accepted the Microsoft Customer Agreement, which every new-commerce purchase needs on record`;
  if (!input.agreementGiven) {
    throw agreementRequired(
      input.customerId,
      `${missing}: give 'agreement' (the customer's signatory: firstName, lastName, email) so the purchase confirms it, or confirm it in Partner Center`,
    );
  }
  if (deps.tokenMode === 'app-only') {
    throw agreementRequired(
      input.customerId,
      `${missing}, and confirming it (POST /customers/{id}/agreements) needs App+User tokens: this worker uses App-only. Set PARTNER_CENTER_REFRESH_TOKEN (secure application model) or confirm it in Partner Center`,
    );
  }
  return { outcome: 'to-confirm' };
}

/**
 * Confirms the MCA with the current template. Idempotent: an earlier attempt that got through (its answer lost)
 * is found on record first, and the POST repeats its MS-RequestId.
 */
export async function confirmCustomerAgreement(
  deps: Pick<PurchaseActivityDeps, 'partnerCenter'>,
  input: ConfirmAgreementInput,
): Promise<AgreementOutcome> {
  const pc = deps.partnerCenter;
  try {
    const onRecord = await mcaOnRecord(pc, input.customerId);
    if (onRecord !== undefined) {
      return {
        outcome: 'on-record',
        ...(onRecord.dateAgreed !== undefined ? { dateAgreed: onRecord.dateAgreed } : {}),
      };
    }
    const [template] = await pc.listAgreementTemplates(MCA, readOptions());
    if (template === undefined) {
      throw agreementRequired(
        input.customerId,
        `Partner Center lists no ${MCA} template to confirm the agreement with`,
      );
    }
    const { firstName, lastName, email, phoneNumber, dateAgreed } = input.agreement;
    const confirmed = await pc.createCustomerAgreement(
      input.customerId,
      {
        primaryContact: { firstName, lastName, email, ...(phoneNumber !== undefined ? { phoneNumber } : {}) },
        templateId: template.templateId,
        dateAgreed: dateAgreed ?? new Date().toISOString(),
        type: MCA,
        ...(template.agreementLink !== undefined ? { agreementLink: template.agreementLink } : {}),
      },
      changeOptions('confirm-agreement'),
    );
    return {
      outcome: 'confirmed',
      ...(confirmed.dateAgreed !== undefined ? { dateAgreed: confirmed.dateAgreed } : {}),
    };
  } catch (err) {
    throw toActivityFailure(err, purchaseFailureTypes.agreementRequired);
  }
}

async function mcaOnRecord(pc: PartnerCenterClient, customerId: string) {
  const agreements = await pc.listCustomerAgreements(customerId, MCA, readOptions());
  // Filtered by type on the server; an entry without a type is taken as the MCA asked for.
  return agreements.find((a) => a.type === undefined || a.type === MCA);
}

function agreementRequired(customerId: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: purchaseFailureTypes.agreementRequired,
    message,
    details: [{ customerId, agreementType: MCA }],
    nonRetryable: true,
  });
}
