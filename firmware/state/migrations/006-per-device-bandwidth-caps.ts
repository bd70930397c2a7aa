import type { Migration } from '../migrate.ts';

export const m006: Migration = {
  version: 6,
  name: 'per-device bandwidth caps',
  // A device's own caps (schoolgate devices cap, later a voucher tier), in kbit/s; NULL: the
  // policy's device cap applies. Stored so a cap outlives restarts and address changes.
  up: `
    ALTER TABLE devices ADD COLUMN cap_down_kbit INTEGER CHECK (cap_down_kbit IS NULL OR cap_down_kbit BETWEEN 64 AND 100000000);
    ALTER TABLE devices ADD COLUMN cap_up_kbit INTEGER CHECK (cap_up_kbit IS NULL OR cap_up_kbit BETWEEN 64 AND 100000000);
  `,
};
