#!/bin/sh
# Puts the first-run setup code (or "setup done") and the box's addresses where the login prompt
# shows them (/etc/issue.d, read by agetty after /etc/issue) and on the console now.
# schoolgate-console.service runs it each time the daemon has started.
set -u
note=/etc/issue.d/schoolgate.issue
# Just after READY=1 the daemon may still be busy a while (lists compiling on a first start, a slow
# card): ask again for up to two minutes before saying it does not answer.
status=""
tries=0
while [ "$tries" -lt 24 ]; do
  status=$(/usr/local/bin/schoolgate status --data-dir /var/lib/schoolgate 2>&1) && break
  status=""
  tries=$((tries + 1))
  sleep 5
done
code=$(printf '%s\n' "$status" | sed -n 's/.*first-run setup code \([A-Z0-9-]*\).*/\1/p' | head -n 1)
addresses=$(ip -4 -o addr show scope global 2>/dev/null | awk '{print $2 " " $4}')
mkdir -p /etc/issue.d
{
  echo "Schoolgate gateway"
  if [ -n "$code" ]; then
    echo "  First-run setup code: $code"
    echo "  (no account yet: open the admin page and enter this code; it changes when the daemon restarts)"
  elif [ -n "$status" ]; then
    echo "  Set up: sign in to the admin page with a school account."
  else
    echo "  The daemon is not answering: sign in as a technician and run 'schoolgate status'."
  fi
  [ -n "$addresses" ] && printf '  Address: %s\n' $addresses
  echo
} > "$note.new"
mv "$note.new" "$note"
cat "$note"
