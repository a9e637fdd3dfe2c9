#!/bin/sh
# Delivers a signal to one asylum session's command and everything it started:
# a non-interactive exec has no terminal to carry Ctrl-C, so asylum sends it here.
# Usage: signal <session id> <signal name>
pidfile="/tmp/.asylum-sessions/$1"
[ -f "$pidfile" ] || exit 0
read -r pid < "$pidfile"
case "$pid" in '' | *[!0-9]*) exit 0 ;; esac
kill_tree() {
  for child in $(pgrep -P "$1"); do kill_tree "$child" "$2"; done
  kill -s "$2" "$1" 2>/dev/null
}
kill_tree "$pid" "$2"
