// Bandwidth shaping's part of `status` and `net show`.
import { Type, type Static } from 'typebox';

const Kbit = Type.Union([Type.Integer(), Type.Null()]);
const From = Type.Union([Type.String(), Type.Null()], { description: '"device" (its own cap) or "policy <id>"' });

export const ShapingStatus = Type.Object({
  enabled: Type.Boolean({ description: 'shaping runs with network enforcement (firewall.enabled)' }),
  engine: Type.Union([Type.Literal('htb'), Type.Literal('cake'), Type.Null()], { description: 'cake where the kernel has it, else htb; null before the first apply' }),
  why: Type.Union([Type.String(), Type.Null()], { description: 'why that engine: what trying CAKE found' }),
  appliedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'the last change that reached the kernel' }),
  error: Type.Union([Type.String(), Type.Null()], { description: 'why the last change failed (the next one rebuilds everything)' }),
  interfaces: Type.Array(Type.String(), { description: 'interfaces with Schoolgate\'s HTB tree (the uplink for upload)' }),
  networks: Type.Array(Type.Object({
    network: Type.String(),
    policy: Type.String(),
    downKbit: Kbit,
    upKbit: Kbit,
    deviceDownKbit: Kbit,
    deviceUpKbit: Kbit,
  }), { description: 'each enabled network\'s caps from its policy: the whole network\'s, and each device\'s unless it has its own' }),
  devices: Type.Array(Type.Object({
    address: Type.String(),
    mac: Type.String(),
    network: Type.String(),
    downKbit: Kbit,
    downFrom: From,
    upKbit: Kbit,
    upFrom: From,
  }), { description: 'each capped device holding an address now' }),
});
export type ShapingStatus = Static<typeof ShapingStatus>;
