// The firewall's `aup_accepted` set as nft lines (pure): one device added when it accepts, and the
// whole set rebuilt from state.db in one transaction (at start, and after a configuration change:
// a new version leaves it empty, so every device is asked again).
import { quote } from '../../net/nft-text.ts';
import { AUP_SET, TABLE_FAMILY, TABLE_NAME } from '../../net/ruleset.ts';

const SET = `${TABLE_FAMILY} ${TABLE_NAME} ${AUP_SET}`;
/** Elements per `add element` line: a few thousand devices stay well within nft's line limits. */
const CHUNK = 256;

export interface AcceptedDevice {
  /** The network's interface (the element's first part). */
  iface: string;
  mac: string;
}

const element = (d: AcceptedDevice): string => `${quote(d.iface)} . ${d.mac}`;

export function acceptedLine(device: AcceptedDevice): string {
  return `add element ${SET} { ${element(device)} }`;
}

export function reloadLines(devices: readonly AcceptedDevice[]): string[] {
  const lines = [`flush set ${SET}`];
  for (let i = 0; i < devices.length; i += CHUNK) lines.push(`add element ${SET} { ${devices.slice(i, i + CHUNK).map(element).join(', ')} }`);
  return lines;
}
