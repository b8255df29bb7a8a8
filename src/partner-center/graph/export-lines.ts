/**
 * The lines of an export blob: downloaded (a refused SAS is told apart, so the caller can read a fresh manifest),
 * gunzipped and read as the fields a reconciliation folds, in batches, from any line on.
 */
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { classifyHttpError, PartnerCenterBusinessError, PartnerCenterNetworkError } from '../errors';
import { pickKeys } from '../keys';
import { LineFieldCheck } from '../line-fields';
import { canonicalSpelling, CHARGE_TYPES } from '../schemas';
import { parseJson, type GraphCallOptions } from './api';
import { boundedText, gunzipLines, requestBlob } from './blobs';
import type { ExportManifest } from './export-operations';

/** Blob store answer to an expired or refused SAS: read the operation again for a fresh manifest. */
export const SAS_REFUSED_CODE = 'AuthenticationFailed';

const lineText = z.string().nullish();
/** A number, or a string holding one; '' counts as 0 (the fold's value of an absent amount). */
const lineAmount = z.coerce.number().nullish();
/**
 * What is read of an export line: the fields a reconciliation folds, as leniently as the v1 line item (null is
 * absent, numbers may be strings, charge types in any spelling, unknown ones passed). Microsoft documents the
 * attributes in PascalCase (`SubscriptionId`, `ChargeStartDate`), other sources write camelCase: `readExportLine`
 * folds any casing of these names first and leaves the ~35 other attributes out. Written for a million lines a
 * run (docs/benchmarks.md, billing export): `nullish` rather than the v1 schema's null-to-undefined preprocess
 * keeps zod on its compiled path (0.8 µs a line instead of 1.7), and `coerce`/`overwrite` rather than
 * `transform`, because a transform run on every line makes V8 allocate the lines' objects straight into the old
 * generation (allocation-site pretenuring): one transformed field cost the read +110 MiB of RSS, numbers sent as
 * strings +470 MiB.
 */
export const exportLineSchema = z.object({
  customerId: lineText,
  customerName: lineText,
  subscriptionId: lineText,
  orderId: lineText,
  productName: lineText,
  skuName: lineText,
  chargeType: z.string().overwrite(canonicalSpelling(CHARGE_TYPES)).nullish(),
  quantity: lineAmount,
  billableQuantity: lineAmount,
  subtotal: lineAmount,
  effectiveUnitPrice: lineAmount,
  unitPrice: lineAmount,
  chargeStartDate: lineText,
});
const foldExportLineKeys = pickKeys(Object.keys(exportLineSchema.shape));

/** An export line as read: the folded fields, or undefined when the line is not one (not an object of them). */
export function readExportLine(received: unknown): ExportChargeLine | undefined {
  const parsed = exportLineSchema.safeParse(foldExportLineKeys(received));
  return parsed.success ? parsed.data : undefined;
}
export type ExportChargeLine = z.infer<typeof exportLineSchema>;

/** One line of a blob: its 0-based number in the blob, and the line (undefined when it is not a line item). */
export interface ExportLine {
  lineNumber: number;
  line?: ExportChargeLine;
}

/** Whether an error is the blob store refusing an expired SAS token. */
export function isSasRefused(error: unknown): boolean {
  return error instanceof PartnerCenterBusinessError && error.code === SAS_REFUSED_CODE;
}

/** The lines of blob `blobIndex` of the manifest from line `fromLine` on (see GraphBillingClient.exportLines). */
export async function* exportLines(
  manifest: ExportManifest,
  blobIndex: number,
  o?: GraphCallOptions & { fromLine?: number },
): AsyncGenerator<ExportLine[]> {
  const blob = manifest.blobs[blobIndex];
  if (blob === undefined) throw new RangeError(`The manifest has no blob ${blobIndex}`);
  const response = await downloadBlob(manifest, blob.name, o?.signal);
  const fromLine = o?.fromLine ?? 0;
  const fields = new LineFieldCheck();
  let lineNumber = 0;
  for await (const texts of gunzipLines(response)) {
    const batch: ExportLine[] = [];
    for (const text of texts) {
      const current = lineNumber;
      lineNumber += 1;
      if (current < fromLine || text.trim() === '') continue;
      const received = parseJson(text);
      const line = readExportLine(received);
      fields.see(received, line);
      batch.push(line !== undefined ? { lineNumber: current, line } : { lineNumber: current });
    }
    if (batch.length > 0) yield batch;
  }
  fields.verify(`Microsoft Graph export blob ${blob.name}`);
}

/** A blob's successful answer; a refused SAS throws a business error with code SAS_REFUSED_CODE. */
async function downloadBlob(manifest: ExportManifest, name: string, signal?: AbortSignal): Promise<IncomingMessage> {
  const root = manifest.rootDirectory.replace(/\/+$/, '');
  const sas = manifest.sasToken.replace(/^\?/, '');
  // The SAS is a credential: it is in the URL only, never in a message.
  const response = await requestBlob(`${root}/${name}?${sas}`, { signal }).catch((error: unknown) => {
    if (signal?.aborted) throw signal.reason ?? error;
    throw new PartnerCenterNetworkError(
      { description: `Could not download blob ${name}`, cause: error },
      `Microsoft Graph blob store: could not download blob ${name}`,
    );
  });
  const status = response.statusCode ?? 0;
  if (status < 200 || status > 299) {
    const text = await boundedText(response);
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
    const details = { status, code, description: `blob ${name}: ${code ?? response.statusMessage ?? ''}` };
    const message = `Microsoft Graph blob store HTTP ${status} for ${name}${code ? `: ${code}` : ''}`;
    if (status === 403) throw new PartnerCenterBusinessError({ ...details, code: SAS_REFUSED_CODE }, message);
    throw Object.assign(classifyHttpError({ status, body: details }), { message });
  }
  return response;
}
