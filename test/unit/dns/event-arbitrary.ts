// Any query event, as property tests of the event buffer, packed batches and the query log draw them.
import fc from 'fast-check';
import { VERDICTS, type QueryEvent } from '../../../firmware/dns/events/event-buffer.ts';

export const eventArb: fc.Arbitrary<QueryEvent> = fc.record({
  at: fc.integer({ min: 0, max: 2 ** 42 }),
  network: fc.option(fc.constantFrom('pupil', 'staff', 'guest'), { nil: null }),
  client: fc.constantFrom('10.20.0.1', '10.20.0.2', 'fd00::1'),
  device: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
  transport: fc.constantFrom('udp', 'tcp'),
  name: fc.string({ maxLength: 40 }),
  qtype: fc.integer({ min: 0, max: 65535 }),
  verdict: fc.constantFrom(...VERDICTS),
  rcode: fc.integer({ min: 0, max: 4095 }),
  upstream: fc.option(fc.constantFrom('wan', 'backup'), { nil: undefined }),
  category: fc.option(fc.constantFrom('social', 'adult'), { nil: undefined }),
  list: fc.option(fc.constantFrom('social', 'adult', 'exception-1'), { nil: undefined }),
  watch: fc.option(fc.constant(true), { nil: undefined }),
  latencyMs: fc.double({ min: 0, max: 10_000, noNaN: true }),
}, { requiredKeys: ['at', 'network', 'client', 'transport', 'name', 'qtype', 'verdict', 'rcode', 'latencyMs'] });
