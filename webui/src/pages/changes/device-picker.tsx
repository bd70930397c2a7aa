// "Only these devices" on the request form: the head approving a single device (a pupil's
// smartwatch, a member of staff's child's tablet after school). A device is chosen from the ones
// the gateway knows (name, MAC, group), for accounts that may see the devices, or typed by its MAC
// address: one that has not joined yet may be named. The MAC is checked here with the gateway's own
// rule (firmware/state/mac.ts), so a typing slip is said beside the field before anything is sent.
import { useState } from 'preact/hooks';
import { MacAddressError, normaliseMac } from '../../../../firmware/state/mac.ts';
import { Button } from '../../components/button.tsx';
import { ChoiceField } from '../../components/choice-field.tsx';
import { fieldId, TextField } from '../../components/field.tsx';

/** The most devices one exception names (the configuration's limit). */
export const MAX_DEVICES = 16;

export interface KnownDevice {
  mac: string;
  /** The name staff gave it, else its own hostname, else empty. */
  name: string;
  /** Its device group's name, or null for the network's default. */
  group: string | null;
  networkId: string;
}

/** "Sam's watch (3c:22:…, Year 6)", or the MAC alone for a device the gateway does not know. */
export function deviceLabel(mac: string, known: readonly KnownDevice[]): string {
  const d = known.find((k) => k.mac === mac);
  if (d === undefined) return `${mac} (not seen by the gateway yet)`;
  const details = [mac, ...(d.group !== null ? [d.group] : [])].join(', ');
  return d.name === '' ? `Unnamed device (${details})` : `${d.name} (${details})`;
}

/** The MAC in the gateway's spelling, or the reason it is not one. */
export function readMac(text: string): { mac: string } | { problem: string } {
  try {
    return { mac: normaliseMac(text) };
  } catch (error) {
    if (error instanceof MacAddressError) return { problem: error.message };
    throw error;
  }
}

interface Props {
  chosen: readonly string[];
  onChosen: (macs: string[]) => void;
  /** The devices the gateway knows; null when this account may not see them (the MAC is typed then). */
  known: readonly KnownDevice[] | null;
  /** The MAC being typed: the form's, so one typed but not added is sent with the request rather than lost. */
  typed: string;
  onTyped: (text: string) => void;
  error?: string | undefined;
  typedError?: string | undefined;
}

export function DevicePicker({ chosen, onChosen, known, typed, onTyped, error, typedError: sentError }: Props) {
  const [pick, setPick] = useState('');
  const [typedError, setTypedError] = useState<string | undefined>(undefined);
  const id = fieldId('devices');
  const full = chosen.length >= MAX_DEVICES;
  const add = (mac: string): boolean => {
    if (chosen.includes(mac)) return true;
    if (full) return false;
    onChosen([...chosen, mac]);
    return true;
  };
  const addTyped = () => {
    const read = readMac(typed);
    if ('problem' in read) {
      setTypedError(typed.trim() === '' ? 'Type the MAC address, e.g. 3c:22:fb:01:a2:9e.' : `${read.problem}.`);
      return;
    }
    if (!add(read.mac)) {
      setTypedError(`An exception names at most ${MAX_DEVICES} devices.`);
      return;
    }
    setTypedError(undefined);
    onTyped('');
  };
  const list = known ?? [];
  const choices = list.filter((d) => !chosen.includes(d.mac));
  return (
    <fieldset id={id} class={`field device-picker${error !== undefined ? ' field-invalid' : ''}`} tabIndex={error !== undefined ? -1 : undefined}
      aria-invalid={error !== undefined ? 'true' : undefined} aria-describedby={`${id}-hint${error !== undefined ? ` ${id}-error` : ''}`}>
      <legend>Only these devices<span class="optional"> (optional)</span></legend>
      <p id={`${id}-hint`} class="field-hint">
        None chosen: every device on those networks. <strong>An exception for named devices needs the headteacher's approval</strong>, whichever
        network it is on. A device that has not joined yet can be named by its MAC address; it applies once the device joins.
      </p>
      {error !== undefined ? <p id={`${id}-error`} class="field-error"><span class="visually-hidden">Error: </span>{error}</p> : null}
      {chosen.length > 0 ? (
        <ul class="chosen-devices" aria-label="Devices chosen">
          {chosen.map((mac) => (
            <li key={mac}>
              <span>{deviceLabel(mac, list)}</span>
              <button type="button" class="link-button" onClick={() => onChosen(chosen.filter((m) => m !== mac))}>Remove<span class="visually-hidden"> {mac}</span></button>
            </li>
          ))}
        </ul>
      ) : null}
      {choices.length > 0 ? (
        <div class="device-add">
          <ChoiceField name="knownDevice" label="A device the gateway knows" value={pick} onValue={setPick}
            options={[{ value: '', label: 'Choose a device…' }, ...choices.map((d) => ({ value: d.mac, label: deviceLabel(d.mac, list) }))]} />
          <Button kind="secondary" onClick={() => { if (pick !== '' && add(pick)) setPick(''); }}>Add this device</Button>
        </div>
      ) : null}
      <div class="device-add">
        <TextField name="deviceMac" label={choices.length > 0 ? 'Or its MAC address' : 'Its MAC address'} value={typed} onValue={(text) => { onTyped(text); setTypedError(undefined); }} required={false} maxLength={40}
          hint="Six pairs such as 3c:22:fb:01:a2:9e; a watch or tablet shows it in its Wi-Fi or About settings." error={typedError ?? sentError} />
        <Button kind="secondary" onClick={addTyped}>Add</Button>
      </div>
    </fieldset>
  );
}
