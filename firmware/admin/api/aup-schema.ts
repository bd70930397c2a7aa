// The AUP acceptances' API shape, shared with the web UI (types only there): the splash's own
// shape (firmware/portal/splash/schema.ts), one definition.
export { AupAcceptance, AupAcceptancesView } from '../../portal/splash/schema.ts';
