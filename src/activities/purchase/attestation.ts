import { ApplicationFailure } from '@temporalio/common';
import { purchaseFailureTypes } from '../../workflows/purchase/failures';
import type { AttestationField } from '../../workflows/purchase/types';

/** The attestation type Partner Center gives the partner-of-record attestation (docs/sandbox.md, Attestation). */
const PARTNER_ON_RECORD = 'partneronrecord';

/** Which item field accepts an enforced attestation: the partner-of-record one by its type, else the customer's. */
export function attestationFieldOf(attestation: { attestationType?: string }): AttestationField {
  return attestation.attestationType?.toLowerCase() === PARTNER_ON_RECORD
    ? 'partnerOnRecordAttestationAccepted'
    : 'attestationAccepted';
}

/** `AttestationRequired`, naming the item, which attestation, and what must be attested to. */
export function attestationRequired(
  item: number,
  catalogItemId: string,
  field: AttestationField,
  text: string,
): ApplicationFailure {
  const who = field === 'attestationAccepted' ? 'the customer attests' : 'you attest as its partner of record';
  return ApplicationFailure.create({
    type: purchaseFailureTypes.attestationRequired,
    message: `items[${item}]: ${catalogItemId} requires ${field === 'attestationAccepted' ? 'an attestation' : 'the partner-of-record attestation'} before it can be bought; set ${field}: true once ${who}: "${text}"`,
    details: [{ item, catalogItemId, field, attestation: text }],
    nonRetryable: true,
  });
}

/** The attestation's text where Partner Center gives one, else its type. */
export function attestationText(attestation: { attestationType?: string; [key: string]: unknown }): string {
  const text = attestation.attestationText ?? attestation.text ?? attestation.description;
  return typeof text === 'string' && text.trim() !== ''
    ? text
    : (attestation.attestationType ?? 'attestation required');
}
