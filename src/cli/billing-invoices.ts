import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { PartnerCenterSettings } from '../config';
import type { Invoice } from '../partner-center';
import { connectPartnerCenter } from '../partner-center-connection';
import { UsageError } from './errors';
import { Problems, type Values } from './flags';
import { table, type Output } from './output';

/**
 * `pcw invoices list|show ID|statement ID --out FILE`: Partner Center invoices, straight from the API (no
 * workflow, no Temporal). The command line is checked before anything is sent; the client is made only then.
 */
export type InvoicesAction = (settings: PartnerCenterSettings, out: Output) => Promise<void>;

/** Plans the subcommand (usage errors first, exit 2), answering what to run with the Partner Center settings. */
export function planInvoices(args: string[], values: Values): InvoicesAction {
  const [subcommand, ...rest] = args;
  const problems = new Problems();
  const onlyFor = (flag: 'limit' | 'offset' | 'out', command: string) => {
    if (values[flag] !== undefined && subcommand !== command)
      problems.add(`--${flag} applies to \`pcw invoices ${command}\` only`, flag);
  };
  onlyFor('limit', 'list');
  onlyFor('offset', 'list');
  onlyFor('out', 'statement');
  switch (subcommand) {
    case 'list':
      return planList(rest, values, problems);
    case 'show':
      return planShow(invoiceIdOf(subcommand, rest), problems);
    case 'statement':
      return planStatement(invoiceIdOf(subcommand, rest), values, problems);
    default:
      throw new UsageError([
        subcommand === undefined
          ? 'invoices needs a subcommand: list, show INVOICE_ID or statement INVOICE_ID --out FILE'
          : `unknown invoices subcommand "${subcommand}" (list, show or statement)`,
      ]);
  }
}

/** The one INVOICE_ID `show` and `statement` take. */
function invoiceIdOf(subcommand: string, rest: string[]): string {
  if (rest.length !== 1)
    throw new UsageError([
      `invoices ${subcommand} needs one INVOICE_ID${rest.length > 1 ? ` (got ${rest.length})` : ''}`,
    ]);
  return rest[0];
}

function planList(rest: string[], values: Values, problems: Problems): InvoicesAction {
  if (rest.length > 0) problems.add(`invoices list takes no arguments (got ${rest.join(' ')})`);
  const size = problems.wholeNumber(values, 'limit', 1, 1000) ?? 20;
  const offset = problems.wholeNumber(values, 'offset', 0) ?? 0;
  problems.done();
  return async (settings, out) => {
    const page = await client(settings).listInvoicesPage({ size, offset });
    const rows = page.items.map((i) => [
      i.id,
      (i.invoiceDate ?? '').slice(0, 10),
      `${(i.billingPeriodStartDate ?? '').slice(0, 10)} .. ${(i.billingPeriodEndDate ?? '').slice(0, 10)}`,
      `${i.totalCharges ?? ''} ${i.currencyCode ?? ''}`.trim(),
      i.status ?? '',
    ]);
    const more = page.nextOffset !== undefined ? `\n(more: --offset ${page.nextOffset})` : '';
    out.emit(page, `${table(['INVOICE', 'DATE', 'PERIOD', 'TOTAL', 'STATUS'], rows)}${more}`);
  };
}

function planShow(invoiceId: string, problems: Problems): InvoicesAction {
  problems.done();
  return async (settings, out) => {
    const invoice = await client(settings).getInvoice(invoiceId);
    out.emit(invoice, describeInvoice(invoice));
  };
}

function planStatement(invoiceId: string, values: Values, problems: Problems): InvoicesAction {
  if (values.out === undefined) problems.add('invoices statement needs --out FILE (where the PDF is written)', 'out');
  problems.done();
  const file = resolve(values.out!);
  return async (settings, out) => {
    const pdf = await client(settings).getInvoiceStatement(invoiceId);
    await writeFile(file, pdf);
    out.emit(
      { invoiceId, file, bytes: pdf.length },
      `statement of invoice ${invoiceId} written to ${file} (${pdf.length} bytes)`,
    );
  };
}

function client(settings: PartnerCenterSettings) {
  return connectPartnerCenter(settings).client;
}

function describeInvoice(i: Invoice): string {
  return [
    `invoice ${i.id} (${i.documentType ?? 'invoice'}, ${i.invoiceType ?? 'unknown type'}, ${i.status ?? 'unknown status'})`,
    `  date          ${(i.invoiceDate ?? '').slice(0, 10)}`,
    `  period        ${i.billingPeriodStartDate ?? '?'} .. ${i.billingPeriodEndDate ?? '?'}`,
    `  total         ${i.totalCharges ?? '?'} ${i.currencyCode ?? ''} (paid ${i.paidAmount ?? '?'})`,
  ].join('\n');
}
