// Printed voucher slips: the code (shown this once), a QR code that opens the portal with the
// code filled in, when it works, for whom, and the guest terms in one line. On paper the slips
// tile an A4 sheet, cut along the dashed lines; nothing else on the page prints.
import type { SlipCommon, SlipView } from '../../../../firmware/admin/api/vouchers-schema.ts';
import { when } from '../visitors/when.ts';

export interface SlipInfo {
  slip: SlipView;
  /** Who or what it is for: "Pat Plumber (Drains & Co)", "Year 6 assembly #3". */
  forWhom: string;
  validFrom: string;
  validUntil: string;
  maxDevices: number;
}

export function Slip({ info, common, timezone }: { info: SlipInfo; common: SlipCommon; timezone: string }) {
  const { slip } = info;
  return (
    <article class="slip" aria-label={`Voucher for ${info.forWhom}`}>
      <p class="slip-site">{common.site} · guest Wi-Fi</p>
      <p class="slip-for">{info.forWhom}</p>
      <p class="slip-code-label">Your code</p>
      <p class="slip-code"><code>{slip.code}</code></p>
      <div class="slip-body">
        {slip.qrSvg !== null
          ? <img class="slip-qr" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(slip.qrSvg)}`} alt="QR code: opens the sign-in page with this code filled in" width={112} height={112} />
          : null}
        <div>
          <p class="slip-when">Valid {when(info.validFrom, timezone)} to {when(info.validUntil, timezone)}, on {info.maxDevices} device{info.maxDevices === 1 ? '' : 's'}.</p>
          <p class="slip-how">Join the guest Wi-Fi, then scan the QR code{common.portal !== null ? <> or open <span class="slip-url">{common.portal}</span></> : null} and type the code.</p>
        </div>
      </div>
      <p class="slip-terms">{common.termsSummary}</p>
    </article>
  );
}

/** Slips as the sheet to print, with the words that say the codes are not shown again. */
export function SlipSheet({ slips, common, timezone, title, onDone }: { slips: readonly SlipInfo[]; common: SlipCommon; timezone: string; title: string; onDone: () => void }) {
  return (
    <section class="slip-sheet-wrap" aria-labelledby="slip-sheet-title">
      <div class="no-print slip-sheet-intro">
        <h2 id="slip-sheet-title">{title}</h2>
        <p>Print {slips.length === 1 ? 'this slip' : `these ${slips.length} slips`} now: the {slips.length === 1 ? 'code is' : 'codes are'} shown only this once, never again. The gateway keeps only a scrambled form it cannot turn back into a code.</p>
        <div class="actions">
          <button type="button" class="btn btn-primary" onClick={() => window.print()}>Print</button>
          <button type="button" class="btn btn-secondary" onClick={onDone}>Done: hide the {slips.length === 1 ? 'code' : 'codes'}</button>
        </div>
      </div>
      <div class="slip-sheet">
        {slips.map((s) => <Slip key={s.slip.voucherId} info={s} common={common} timezone={timezone} />)}
      </div>
    </section>
  );
}
