#!/bin/sh
# Once, on a card's first boot (schoolgate-firstboot.service): what makes this box its own.
# The daemon makes its own secrets, admin TLS certificate and setup code at its first start.
set -u
done_file=/etc/schoolgate/firstboot.done

# SSH host keys: the image ships none, so no two boxes share them.
ssh-keygen -A

# The root partition grown to the card (the image is small to flash quickly). Only for a root on
# a partition of a disk (the Pi's card); a failure leaves the small root working.
root_dev=$(findmnt -n -o SOURCE / 2>/dev/null || true)
root_name=${root_dev#/dev/}
if [ -n "$root_name" ] && [ -f "/sys/class/block/$root_name/partition" ] && command -v growpart >/dev/null 2>&1; then
  part=$(cat "/sys/class/block/$root_name/partition")
  disk=$(basename "$(readlink -f "/sys/class/block/$root_name/..")")
  if growpart "/dev/$disk" "$part"; then
    resize2fs "$root_dev" || echo "firstboot: resize2fs $root_dev failed; the root keeps its size"
  else
    echo "firstboot: growpart /dev/$disk $part changed nothing"
  fi
fi

# The technician's account: the public keys a technician put on the boot partition after flashing
# (schoolgate/authorized_keys on the card's FAT partition, readable from any computer). Key-only:
# the account has no password (sshd_config.d/schoolgate.conf), and membership of `schoolgate`
# lets it sign in and run the schoolgate command; of `systemd-journal`, read the daemon's logs
# (journalctl -u schoolgate) without root.
keys=/boot/firmware/schoolgate/authorized_keys
if [ -s "$keys" ]; then
  getent passwd technician >/dev/null || useradd --create-home --shell /bin/bash --groups schoolgate,systemd-journal technician
  install -d -o technician -g technician -m 0700 /home/technician/.ssh
  install -o technician -g technician -m 0600 "$keys" /home/technician/.ssh/authorized_keys
  echo "firstboot: technician account made with $(grep -c . "$keys") key(s) from $keys"
else
  echo "firstboot: no $keys: nobody can sign in over SSH until a technician's key is added"
fi

# A configuration prepared for this school before the card was handed over (schoolgate/config.json
# on the boot partition): checked by the release's own validator, then moved into the data
# directory and renamed on the card, so it is used once and never overrides later changes.
seed=/boot/firmware/schoolgate/config.json
if [ -s "$seed" ] && [ ! -e /var/lib/schoolgate/config.json ]; then
  if /usr/local/bin/schoolgate config validate "$seed"; then
    install -o schoolgate -g schoolgate -m 0600 "$seed" /var/lib/schoolgate/config.json
    mv "$seed" "$seed.installed"
    echo "firstboot: the configuration from $seed is installed"
  else
    echo "firstboot: $seed is not a valid configuration (above): not used, the daemon starts on its defaults"
  fi
fi

mkdir -p /etc/schoolgate
date -u +%Y-%m-%dT%H:%M:%SZ > "$done_file"
