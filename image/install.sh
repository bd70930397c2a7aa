#!/bin/sh
# Installs a Schoolgate release tree into the root it runs in: the image build runs it inside the
# new root filesystem (chroot), and the CI proof runs the very same script in its arm64 root, so
# what the proof starts is what a card ships.
#
#   sh install.sh RELEASE_DIR [--image]
#
# RELEASE_DIR is a tree from `node scripts/release/stage.ts` (VERSION, bin/, node/, dist/, image/ …).
# It becomes /opt/schoolgate/releases/<version>/, /opt/schoolgate/current points at it (switched by
# rename, so never half-made) and /usr/local/bin/schoolgate at its launcher. --image also clears
# what must differ from box to box (SSH host keys, machine id): first boot makes them.
set -eu

release=${1:?usage: install.sh RELEASE_DIR [--image]}
image=no
[ "${2:-}" = "--image" ] && image=yes
[ -f "$release/VERSION" ] || { echo "install.sh: $release has no VERSION file: not a release tree" >&2; exit 2; }
[ -x "$release/bin/schoolgate" ] || { echo "install.sh: $release/bin/schoolgate is missing" >&2; exit 2; }

# VERSION is JSON written by stage.ts; the root has no JSON tool before Node is installed.
version=$(sed -n 's/.*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$release/VERSION" | head -n 1)
case "$version" in
  ''|*/*|.*) echo "install.sh: no usable version in $release/VERSION" >&2; exit 2 ;;
esac

# The daemon's own user; technicians join its group to use the control socket (0660).
getent group schoolgate >/dev/null || groupadd --system schoolgate
getent passwd schoolgate >/dev/null ||
  useradd --system --gid schoolgate --home-dir /var/lib/schoolgate --no-create-home --shell /usr/sbin/nologin schoolgate

releases=/opt/schoolgate/releases
target="$releases/$version"
mkdir -p "$releases"
if [ "$(readlink -f "$release")" != "$(readlink -f "$target" 2>/dev/null || echo none)" ]; then
  # Copied beside, then renamed: a half-copied release never carries the final name.
  rm -rf "$target.partial"
  cp -a "$release" "$target.partial"
  chown -R root:root "$target.partial"
  chmod -R go-w "$target.partial"
  rm -rf "$target"
  mv "$target.partial" "$target"
fi
ln -sfn "releases/$version" /opt/schoolgate/current.new
mv -T /opt/schoolgate/current.new /opt/schoolgate/current
mkdir -p /usr/local/bin
ln -sfn /opt/schoolgate/current/bin/schoolgate /usr/local/bin/schoolgate

# Everything the daemon writes (ProtectSystem=strict leaves it only this).
install -d -o schoolgate -g schoolgate -m 0750 /var/lib/schoolgate
# Trusted release-signing public keys (the upgrade command reads them); never a private key.
install -d -m 0755 /etc/schoolgate /etc/schoolgate/release-keys
# The keys the builder of this box trusts (npm run image -- --release-key FILE puts them in the
# release's image/release-keys/); a box without one refuses every upgrade until a technician adds one.
for key in "$release"/image/release-keys/*.pem; do
  [ -f "$key" ] && install -m 0644 "$key" /etc/schoolgate/release-keys/
done

shipped="$target/image"
install -d /etc/systemd/system /etc/ssh/sshd_config.d /etc/sysctl.d
for unit in schoolgate.service schoolgate-nftables.service schoolgate-firstboot.service schoolgate-console.service schoolgate-upgrade.service schoolgate-upgrade.path; do
  install -m 0644 "$shipped/$unit" /etc/systemd/system/$unit
done
install -m 0644 "$shipped/sshd_config.d/schoolgate.conf" /etc/ssh/sshd_config.d/schoolgate.conf
install -m 0644 "$shipped/nftables-base.nft" /etc/schoolgate/nftables-base.nft
for conf in "$shipped"/sysctl.d/*.conf; do
  [ -f "$conf" ] && install -m 0644 "$conf" /etc/sysctl.d/
done

if command -v systemctl >/dev/null 2>&1; then
  # Offline in a chroot (systemctl only makes the links), live on a running box.
  units="schoolgate-nftables.service schoolgate-firstboot.service schoolgate.service schoolgate-console.service schoolgate-upgrade.path"
  # shellcheck disable=SC2086 # one word a unit
  systemctl enable $units >/dev/null 2>&1 || systemctl enable $units
fi

if [ "$image" = yes ]; then
  # A fresh box: its name, and the uplink (the first Ethernet port, eth0 with net.ifnames=0) asks
  # the school's router for an address; the school's own networks come from the configuration.
  echo schoolgate > /etc/hostname
  printf '127.0.0.1\tlocalhost\n127.0.1.1\tschoolgate\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' > /etc/hosts
  install -d /etc/systemd/network
  printf '[Match]\nName=eth0\n\n[Network]\nDHCP=yes\n' > /etc/systemd/network/10-uplink.network
  if command -v systemctl >/dev/null 2>&1; then
    systemctl enable systemd-networkd.service >/dev/null 2>&1 || true
    systemctl enable systemd-timesyncd.service >/dev/null 2>&1 || true
  fi
  # Every card would otherwise share these: first boot (schoolgate-firstboot.service) makes them.
  rm -f /etc/ssh/ssh_host_*_key /etc/ssh/ssh_host_*_key.pub
  : > /etc/machine-id
  rm -f /var/lib/dbus/machine-id /etc/schoolgate/firstboot.done
fi
echo "installed Schoolgate $version in $target"
