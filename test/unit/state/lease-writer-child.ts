// Run by kill.test.ts as a separate process: binds leases into the state.db named by argv[2] and
// prints each address once bind() has returned, the moment the DHCP server would send its ACK.
import { StateDatabase } from '../../../firmware/state/database.ts';

const state = StateDatabase.open(process.argv[2]!);
// The test reads until it kills this process; if the test is gone (its pipe closed), stop.
process.stdout.on('error', () => process.exit(1));
const start = Date.parse('2026-03-02T08:45:00.000Z');
for (let i = 0; i < 200_000; i++) {
  const address = `10.20.${(i >> 8) & 255}.${i & 255}`;
  const mac = `02:cc:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
  state.leases.bind({
    networkId: 'pupil', address, clientKey: `mac:${mac}`, mac, clientId: null, hostname: `host-${i}`, vendorClass: '', parameters: [1, 3, 6],
    relayAgent: null, relayInfo: null, state: 'bound', expires: new Date(start + 3600_000).toISOString(), updated: new Date(start).toISOString(),
  });
  process.stdout.write(`${address}\n`);
}
