// Bandwidth caps, part of a policy (firmware/net/shaping/). On the policy rather than the network
// because a cap is a decision about who the users are (pupils share the school's line, visitors
// get less), which is what a policy already says; a network takes its policy's network caps for
// itself, and a device its policy's device caps (a device group's policy for a device in a group).
// Its own file so the schema's many readers do not grow with it. Megabits per second, as a
// school's line is sold; state.db keeps a device's own caps in kbit/s.
import { Type, type Static } from 'typebox';

const Mbit = (what: string): ReturnType<typeof Type.Number> => Type.Number({
  minimum: 0.064, maximum: 100_000,
  description: `${what}, in Mbit/s (0.064 to 100000; decimals allowed, e.g. 0.5)`,
});

export const PolicyBandwidth = Type.Object({
  networkDownMbit: Type.Optional(Mbit('what every device of a network with this policy may download together')),
  networkUpMbit: Type.Optional(Mbit('what every device of a network with this policy may upload together')),
  deviceDownMbit: Type.Optional(Mbit('what one device may download (a device\'s own cap, schoolgate devices cap, comes first)')),
  deviceUpMbit: Type.Optional(Mbit('what one device may upload (a device\'s own cap comes first)')),
}, { additionalProperties: false, description: 'bandwidth caps; each absent one is no cap' });
export type PolicyBandwidth = Static<typeof PolicyBandwidth>;
