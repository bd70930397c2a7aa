// The audit log page's API shapes (audit.view): `schoolgate audit`'s list, filtered as it is
// (since, action or a prefix such as device.*, actor), and the chain's verification.
export { AuditEntry } from '../../control/audit-chain.ts';
export { AuditListParams, AuditListView, AuditVerdict } from '../../control/audit-methods.ts';
