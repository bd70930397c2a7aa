// The virtual arm64 machine `npm run test:image` boots the card in, as data (pure): QEMU's
// generic "virt" board with the card as a virtio disk, the card's own kernel and initrd, the
// serial console on stdout, and two host ports forwarded to the box's DNS and SSH.

export interface VmPlan {
  image: string;
  kernel: string;
  initrd: string;
  /** Host loopback ports forwarded to the box's port 53 (UDP) and 22 (TCP). */
  dnsPort: number;
  sshPort: number;
  memoryMiB?: number;
  cpus?: number;
}

/** qemu-system-aarch64's argv (without the program). TCG: this machine is x86-64. */
export function qemuArgs(plan: VmPlan): string[] {
  return [
    '-M', 'virt', '-cpu', 'cortex-a72', '-smp', String(plan.cpus ?? 2), '-m', String(plan.memoryMiB ?? 1024),
    '-nographic', '-no-reboot',
    '-kernel', plan.kernel, '-initrd', plan.initrd,
    // The card's root by label, as on the Pi; the virt board's UART is ttyAMA0.
    '-append', 'root=LABEL=sgroot rootfstype=ext4 rw rootwait console=ttyAMA0 net.ifnames=0 systemd.show_status=1',
    '-drive', `file=${plan.image},format=raw,if=none,id=card`, '-device', 'virtio-blk-pci,drive=card',
    '-netdev', `user,id=uplink,hostfwd=udp:127.0.0.1:${plan.dnsPort}-:53,hostfwd=tcp:127.0.0.1:${plan.sshPort}-:22`,
    // No option ROM: the machine boots its kernel directly, and Debian ships the ROM only in ipxe-qemu.
    '-device', 'virtio-net-pci,netdev=uplink,romfile=',
  ];
}

/** QEMU's user network: the address the box's uplink gets and the one the host's packets come from. */
export const SLIRP = { guest: '10.0.2.15', host: '10.0.2.2', subnet: '10.0.2.0/24' } as const;
