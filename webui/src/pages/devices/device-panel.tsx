// One device's changes (devices.manage): name, group and owner; suspend with a reason and an
// expiry, or resume; reserve its address; its own bandwidth caps; a link to ask for a filtering
// exception for this device alone (a change request the head approves). Each form keeps what was typed
// when the gateway refuses it, with the reason beside the field. A group that lets the device reach
// more is refused and offered as a change request instead (move-request.tsx).
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { DevicesPage as Page } from '../../../../firmware/admin/api/devices-schema.ts';
import { DEVICE_OWNER_MAX, ownerProblem } from '../../../../firmware/state/device-owner.ts';
import { Button } from '../../components/button.tsx';
import { ChoiceField } from '../../components/choice-field.tsx';
import { TextField } from '../../components/field.tsx';
import { useFocusFirstError } from '../../components/form.ts';
import { Link } from '../../components/link.tsx';
import { Notice } from '../../components/notice.tsx';
import { ApiRequestError } from '../../api.ts';
import { useApp } from '../../context.ts';
import { MoveRequest, type RefusedMove } from './move-request.tsx';
import { DURATION_UNITS, errorsOf, when } from '../admin-format.ts';
import type { DeviceRow } from '../admin-filters.ts';

interface Props {
  row: DeviceRow;
  page: Page;
  timezone: string;
  onChanged: (message: string) => Promise<void>;
  onClose: () => void;
}

/** One form's state: its errors, the notice above it, how many times it was sent. */
export function useFormState() {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [busy, setBusy] = useState(false);
  const ref = useFocusFirstError(errors, attempt);
  const run = async (check: () => Record<string, string>, send: () => Promise<void>) => {
    const found = check();
    setErrors(found);
    setMessage(null);
    setAttempt((n) => n + 1);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      await send();
    } catch (e) {
      const { fields, message: text } = errorsOf(e);
      setErrors(fields);
      setMessage(Object.keys(fields).length > 0 ? null : text);
      setAttempt((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };
  return { errors, message, busy, ref, run };
}

export function DevicePanel({ row, page, timezone, onChanged, onClose }: Props) {
  const { api, session } = useApp();
  const mayRequest = session?.permissions.includes('changes.request') ?? false;
  const d = row.device;
  const path = `/api/devices/${encodeURIComponent(d.mac)}`;
  const heading = useRef<HTMLHeadingElement>(null);
  useLayoutEffect(() => heading.current?.focus(), []);

  const [name, setName] = useState(d.name);
  const [group, setGroup] = useState(d.groupId ?? '');
  const [owner, setOwner] = useState(d.schoolOwned ? 'school' : 'personal');
  const [ownedBy, setOwnedBy] = useState(d.owner);
  const edit = useFormState();
  const [move, setMove] = useState<RefusedMove | null>(null);
  /** The panel's fields other than the group, each only when it changed (each is its own audit entry). */
  const others = () => ({
    ...(name !== d.name ? { name } : {}),
    ...((owner === 'school') !== d.schoolOwned ? { schoolOwned: owner === 'school' } : {}),
    ...(ownedBy.trim() !== d.owner ? { owner: ownedBy.trim() } : {}),
  });

  const [reason, setReason] = useState('');
  const [amount, setAmount] = useState('1');
  const [unit, setUnit] = useState<string>('86400');
  const suspend = useFormState();
  const suspended = d.suspendedUntil !== null && Date.parse(d.suspendedUntil) > Date.now();

  const reservation = page.reservations.find((r) => r.mac === d.mac);
  const [address, setAddress] = useState(reservation?.address ?? row.lease?.address ?? '');
  const reserve = useFormState();

  const [down, setDown] = useState(d.capDownKbit === null ? '' : String(d.capDownKbit));
  const [up, setUp] = useState(d.capUpKbit === null ? '' : String(d.capUpKbit));
  const caps = useFormState();

  const kbit = (text: string, field: string, errors: Record<string, string>): number | null => {
    if (text.trim() === '') return null;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) errors[field] = 'Enter a whole number of kbit/s (1000 is 1 Mbit/s), or leave it empty for the policy\'s cap.';
    return n;
  };

  return (
    <section class="card device-panel" aria-labelledby="device-h">
      <h2 id="device-h" tabIndex={-1} ref={heading}>{row.label} <small><code>{d.mac}</code></small></h2>
      {mayRequest ? (
        <p><Link href={`/changes/new?device=${encodeURIComponent(d.mac)}&network=${encodeURIComponent(d.networkId)}`}>Ask for an exception for this device</Link>
          <span class="muted"> (a site allowed or blocked for it alone; the headteacher approves it)</span></p>
      ) : null}

      <form ref={edit.ref} class="form" noValidate onSubmit={(e) => {
        e.preventDefault();
        void edit.run((): Record<string, string> => {
          const problem = ownerProblem(ownedBy.trim());
          return problem === undefined ? {} : { owner: `Not saved: ${problem}.` };
        }, async () => {
          // The owner only when it changed: each field sent is its own audit entry.
          const ownerChange = ownedBy.trim() === d.owner ? {} : { owner: ownedBy.trim() };
          const to = group === '' ? null : group;
          setMove(null);
          try {
            await api.request('PATCH', path, { name, group: to, schoolOwned: owner === 'school', ...ownerChange });
          } catch (error) {
            // The group is sent first: a refused move has saved nothing.
            if (!(error instanceof ApiRequestError) || error.code !== 'change-request-needed') throw error;
            setMove({ message: error.message, from: d.groupId, to });
            return;
          }
          await onChanged(`Saved ${name || d.mac}.`);
        });
      }}>
        <h3>Name, group and owner</h3>
        <Notice kind="error">{edit.message}</Notice>
        <div class="grid-2">
          <TextField name="name" label="Name" value={name} onValue={setName} error={edit.errors.name} required={false} maxLength={64} hint="what staff call it, e.g. Class 3 iPad 4" />
          <ChoiceField name="group" label="Device group" value={group} onValue={setGroup} error={edit.errors.group}
            options={[{ value: '', label: 'The network\'s default' }, ...page.groups.map((g) => ({ value: g.id, label: g.name }))]} />
          <TextField name="owner" label="Owner" value={ownedBy} onValue={setOwnedBy} error={edit.errors.owner} required={false} maxLength={DEVICE_OWNER_MAX}
            hint="who it belongs to: a person, a class or the school, e.g. Mrs Patel" />
          <ChoiceField name="schoolOwned" label="School device or personal" value={owner} onValue={setOwner} error={edit.errors.schoolOwned}
            options={[{ value: 'school', label: 'School-owned' }, { value: 'personal', label: 'Personal' }]} />
        </div>
        <div class="actions"><Button type="submit" busy={edit.busy}>Save</Button></div>
      </form>
      {move !== null ? (
        <MoveRequest key={`${move.from}>${move.to}`} mac={d.mac} move={move}
          saveOthers={async () => {
            const changed = others();
            if (Object.keys(changed).length > 0) await api.request('PATCH', path, changed);
          }}
          onSent={async () => {
            setGroup(d.groupId ?? '');
            await onChanged(`${name || row.label}: the move was sent for approval; it stays in its group until then.`);
          }}
          onCancel={() => { setMove(null); setGroup(d.groupId ?? ''); }} />
      ) : null}

      {suspended ? (
        <form ref={suspend.ref} class="form" noValidate onSubmit={(e) => {
          e.preventDefault();
          void suspend.run(() => ({}), async () => {
            await api.post(`${path}/resume`);
            await onChanged(`${row.label} may use the network again.`);
          });
        }}>
          <h3>Suspended</h3>
          <Notice kind="error">{suspend.message}</Notice>
          <p>No access until <strong>{when(d.suspendedUntil, timezone)}</strong>: {d.suspendReason}</p>
          <div class="actions"><Button type="submit" busy={suspend.busy}>Resume access now</Button></div>
        </form>
      ) : (
        <form ref={suspend.ref} class="form" noValidate onSubmit={(e) => {
          e.preventDefault();
          void suspend.run(() => {
            const errors: Record<string, string> = {};
            if (reason.trim() === '') errors.reason = 'Say why: the reason is kept in the audit log and shown to whoever looks at this device.';
            const n = Number(amount);
            if (!Number.isInteger(n) || n < 1) errors.seconds = 'Enter a whole number, at least 1.';
            else if (n * Number(unit) > 366 * 86_400) errors.seconds = 'A suspension lasts at most a year.';
            return errors;
          }, async () => {
            await api.post(`${path}/suspend`, { reason: reason.trim(), seconds: Number(amount) * Number(unit) });
            await onChanged(`${row.label} is suspended.`);
          });
        }}>
          <h3>Suspend</h3>
          <p class="field-hint">The device gets no network access until the time runs out or someone resumes it. Recorded under your name.</p>
          <Notice kind="error">{suspend.message}</Notice>
          <TextField name="reason" label="Reason" value={reason} onValue={setReason} error={suspend.errors.reason} maxLength={200} />
          <div class="grid-2">
            <TextField name="seconds" label="For how long" value={amount} onValue={setAmount} error={suspend.errors.seconds} inputMode="numeric" />
            <ChoiceField name="unit" label="Unit" value={unit} onValue={setUnit} options={DURATION_UNITS} />
          </div>
          <div class="actions"><Button type="submit" kind="danger" busy={suspend.busy}>Suspend</Button></div>
        </form>
      )}

      <form ref={reserve.ref} class="form" noValidate onSubmit={(e) => {
        e.preventDefault();
        void reserve.run((): Record<string, string> => (/^\d{1,3}(\.\d{1,3}){3}$/.test(address.trim()) ? {} : { address: 'Enter an IPv4 address such as 10.20.0.50.' }), async () => {
          await api.post(`${path}/reserve`, { address: address.trim(), ...(d.name ? { name: d.name } : {}) });
          await onChanged(`${row.label} will always get ${address.trim()}.`);
        });
      }}>
        <h3>Reserved address</h3>
        <Notice kind="error">{reserve.message}</Notice>
        <TextField name="address" label="Address" value={address} onValue={setAddress} error={reserve.errors.address}
          hint={reservation ? `reserved now: ${reservation.address}` : 'inside the network\'s subnet; the device gets it at its next renewal'} />
        <div class="actions"><Button type="submit" busy={reserve.busy}>Reserve</Button></div>
      </form>

      <form ref={caps.ref} class="form" noValidate onSubmit={(e) => {
        e.preventDefault();
        let body: { downKbit: number | null; upKbit: number | null } = { downKbit: null, upKbit: null };
        void caps.run(() => {
          const errors: Record<string, string> = {};
          body = { downKbit: kbit(down, 'downKbit', errors), upKbit: kbit(up, 'upKbit', errors) };
          return errors;
        }, async () => {
          await api.request('PUT', `${path}/cap`, body);
          await onChanged(`Caps of ${row.label} saved.`);
        });
      }}>
        <h3>Bandwidth caps</h3>
        <Notice kind="error">{caps.message}</Notice>
        <div class="grid-2">
          <TextField name="downKbit" label="Download (kbit/s)" value={down} onValue={setDown} error={caps.errors.downKbit} inputMode="numeric" required={false} />
          <TextField name="upKbit" label="Upload (kbit/s)" value={up} onValue={setUp} error={caps.errors.upKbit} inputMode="numeric" required={false} />
        </div>
        <div class="actions"><Button type="submit" busy={caps.busy}>Save caps</Button></div>
      </form>
      <div class="actions"><Button kind="secondary" onClick={onClose}>Close</Button></div>
    </section>
  );
}
