# shellcheck shell=bash
# Sourced by the lab scripts: daemons they start are tracked and stopped by PID file.

# alive PIDFILE: the process recorded there runs.
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# stop_pid PIDFILE NAME: TERM, wait up to 5 s, KILL if needed, remove the file.
stop_pid() {
  alive "$1" || { rm -f "$1"; return 0; }
  local pid; pid=$(cat "$1")
  kill "$pid"
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  rm -f "$1"
  echo "lab: $2 stopped (pid $pid)"
}
